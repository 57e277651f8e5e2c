"""Where the file dialogs (File ▸ Open, Save a copy…, the viewer's Save a copy for the
record…) start: the folder last used in this run, else the clinician's Pictures or Documents
folder; never the process's working directory (the app's own folder on a ward PC, or
whatever folder it was started from).

The last folder is kept in memory only, for this run and this clinician (forgotten on Switch
user), as File ▸ Recent is: a folder's path can name a patient ("…/Smith_J_MRN1234/"), and
the QSettings file is plain text shared by everyone on the ward's login."""

from __future__ import annotations

from pathlib import Path

PICTURES_FIRST = ("pictures", "documents")
DOCUMENTS_FIRST = ("documents", "pictures")


def default_folder(order: tuple[str, ...] = PICTURES_FIRST) -> str:
    """The first of the clinician's own folders that exists, else their home folder."""
    from PySide6.QtCore import QStandardPaths

    kinds = {"pictures": QStandardPaths.StandardLocation.PicturesLocation,
             "documents": QStandardPaths.StandardLocation.DocumentsLocation}
    for kind in order:
        folder = QStandardPaths.writableLocation(kinds[kind])
        if folder and Path(folder).is_dir():
            return folder
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation) \
        or str(Path.home())


class FolderMemory:
    """The folder a file was last opened from or saved to, in this run."""

    def __init__(self) -> None:
        self.last = ""

    def start(self, order: tuple[str, ...] = PICTURES_FIRST) -> str:
        if self.last and Path(self.last).is_dir():  # not a folder since removed
            return self.last
        return default_folder(order)

    def remember(self, path: str) -> None:
        """``path``: a file just opened or saved; its folder is where the next dialog starts."""
        if path:
            self.last = str(Path(path).resolve().parent)

    def forget(self) -> None:
        self.last = ""
