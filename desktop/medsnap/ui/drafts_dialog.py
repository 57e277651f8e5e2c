"""Messages ▸ Drafts…: every unsent picture kept for the signed-in clinician, to reopen one
or throw one away. Without it a clinician with several drafts got them back one per
sign-in, and could not say which, nor get rid of one they no longer wanted."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from medsnap.ui.draft_keeper import DraftKeeper, DraftSummary
from medsnap.ui.outbox_view import clock
from medsnap.ui.qt_enums import Qt

_ID_ROLE = Qt.ItemDataRole.UserRole


def describe(draft: DraftSummary, on_screen: bool) -> str:
    """One line of the list: the picture, for whom, when it was last kept."""
    if not draft.readable:
        return f"{draft.name} — damaged or not yours: it cannot be opened — kept " \
               f"{clock(draft.saved_at)}"
    parts = [draft.name, f"to {draft.to_name}" if draft.to_name else "no colleague chosen",
             f"kept {clock(draft.saved_at)}"]
    return " — ".join(parts + ["on screen now"] if on_screen else parts)


class DraftsDialog(QDialog):
    def __init__(self, keeper: DraftKeeper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keeper = keeper
        self.setWindowTitle("Drafts")
        self.setAccessibleName("Unsent pictures kept as drafts")
        layout = QVBoxLayout(self)
        self.message = QLabel("Reading your drafts…", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.drafts = QListWidget(self)
        self.drafts.setAccessibleName("Drafts")
        self.drafts.setMinimumSize(520, 220)
        self.drafts.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.drafts.itemActivated.connect(lambda _item: self._open())
        layout.addWidget(self.drafts, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_button = QPushButton("&Open", self)
        self.open_button.setDefault(True)
        self.delete_button = QPushButton("&Delete…", self)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._open)
        self.delete_button.clicked.connect(self._delete)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        self.keeper.list_drafts(self._listed)

    def _listed(self, drafts: list[DraftSummary]) -> None:
        if not shiboken6.isValid(self):  # closed (MedSnap locked) while the list was read
            return
        self.drafts.clear()
        on_screen = self.keeper.draft_id if self.keeper.window.document is not None else ""
        for draft in drafts:
            item = QListWidgetItem(describe(draft, draft.id == on_screen))
            item.setData(_ID_ROLE, draft)
            self.drafts.addItem(item)
        self.message.setText(
            "No unsent pictures are kept for you." if not drafts else
            "Unsent pictures kept for you, encrypted so only you can open them. Opening one "
            "keeps the picture on screen as a draft too.")
        if drafts:
            self.drafts.setCurrentRow(0)
        self._update_buttons()

    def _chosen(self) -> DraftSummary | None:
        item = self.drafts.currentItem()
        return item.data(_ID_ROLE) if item is not None else None

    def _is_on_screen(self, draft: DraftSummary) -> bool:
        return draft.id == self.keeper.draft_id and self.keeper.window.document is not None

    def _update_buttons(self) -> None:
        draft = self._chosen()
        self.open_button.setEnabled(draft is not None and draft.readable
                                    and not self._is_on_screen(draft))
        self.delete_button.setEnabled(draft is not None and not self._is_on_screen(draft))
        self.delete_button.setToolTip(
            "The picture on screen: open another picture (this one is kept as a draft), "
            "then delete it here"
            if draft is not None and self._is_on_screen(draft) else "")

    def _open(self) -> None:
        draft = self._chosen()
        if draft is None or not self.open_button.isEnabled():
            return
        self.keeper.open_draft(draft.id)
        self.accept()

    def _delete(self) -> None:
        draft = self._chosen()
        if draft is None or not self.delete_button.isEnabled():
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete draft",
                          f"Delete the unsent picture “{draft.name}” and its annotations?",
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText("It cannot be recovered afterwards.")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is delete:
            self.keeper.delete_draft(draft.id, self.refresh)
