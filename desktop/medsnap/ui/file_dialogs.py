"""Every file dialog MedSnap opens (File ▸ Open, Save a copy…, the viewer's Save a copy for
the record…) asks through here, so that none leaves a folder behind for the next person.

Qt's own file dialog writes the folders it visited ("Recent Places" in its Look in list), the
last folder and its sidebar places to Qt's shared settings (QSettings "QtProject": a plain
text ~/.config/QtProject.conf, or the registry under HKCU on Windows) when it is destroyed,
and shows them again in the next run. A folder can name a patient ("…/Mary JONES 943…/"), and
a ward's login is shared. So each dialog starts with no history, is destroyed as soon as it is
answered, and Qt's file-dialog settings are removed before and after it (other QtProject
settings are kept). Where a dialog starts comes from ``FolderMemory`` (this run only).

The system's own dialogs (Windows' shell dialog, GTK's or a desktop portal's) are never used:
they keep their own recent lists (ComDlg32 MRU lists and Recent Items on Windows,
recently-used.xbel on Linux) that MedSnap cannot clear, so MedSnap uses Qt's dialog everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog, QWidget

#: Qt's own settings (the organisation name QFileDialog reads and writes under)
QT_SETTINGS = "QtProject"
#: what QFileDialog keeps there: the group (history, lastVisited, shortcuts, view) and the
#: pre-5.5 serialised state (history and last folder too)
DIALOG_KEYS = ("FileDialog", "Qt/filedialog")


def forget_dialog_folders() -> None:
    """Remove what Qt's file dialog remembered (by MedSnap or left by an older version)."""
    from PySide6.QtCore import QSettings

    stored = QSettings(QSettings.Scope.UserScope, QT_SETTINGS)
    present = [key for key in DIALOG_KEYS if stored.contains(key) or
               key in stored.childGroups()]
    if not present:
        return  # nothing to write: the file is not created or touched
    for key in present:
        stored.remove(key)
    stored.sync()


def ask_open_file(parent: QWidget, caption: str, folder: str, filters: str) -> str:
    """The existing file the clinician chose in ``folder`` (or below), or "" if cancelled."""
    from PySide6.QtWidgets import QFileDialog

    forget_dialog_folders()  # before: the dialog reads them as it is built
    dialog = _dialog(parent, caption, folder, filters)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    path, _chosen = _answer(dialog)
    return path


def ask_save_file(parent: QWidget, caption: str, suggested: str, filters: str = "",
                  selected_filter: str = "") -> tuple[str, str]:
    """(path, the file type chosen) to save to, ("", "") if cancelled. ``suggested``: a
    full path; the dialog opens in its folder with its name filled in."""
    from PySide6.QtWidgets import QFileDialog

    forget_dialog_folders()
    dialog = _dialog(parent, caption, suggested, filters)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if selected_filter:
        dialog.selectNameFilter(selected_filter)
    return _answer(dialog)


def _dialog(parent: QWidget, caption: str, where: str, filters: str) -> QFileDialog:
    from PySide6.QtWidgets import QFileDialog

    dialog = QFileDialog(parent, caption, where, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setHistory([])  # no "Recent Places" from anyone before
    return dialog


def _answer(dialog: QFileDialog) -> tuple[str, str]:
    """Run the dialog (modal), then destroy it at once (Qt writes its settings then) and
    remove what it wrote; also when it was closed by the lock."""
    import shiboken6
    from PySide6.QtWidgets import QDialog

    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        files = dialog.selectedFiles() if accepted else []
        answer = (files[0], dialog.selectedNameFilter()) if files else ("", "")
    finally:
        if shiboken6.isValid(dialog):
            shiboken6.delete(dialog)
        forget_dialog_folders()
    return answer
