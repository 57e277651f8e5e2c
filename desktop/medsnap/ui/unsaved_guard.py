"""Ask before unsent work is thrown away: opening another picture or quitting with
annotations or redactions that nothing keeps (not signed in, so no encrypted draft).

The question offers Save a copy… / Discard / Cancel; Cancel is the default and Escape, so a
stray Enter never loses work. Signed in, the encrypted draft keeps the work instead and
nothing is asked (``keep_in_draft``, set by the messaging side, saves it and says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from medsnap.ui.qt_enums import Qt

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from medsnap.ui.main_window import MainWindow


class UnsavedGuard:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.keep_in_draft: Callable[[], bool] = lambda: False
        self.box: QMessageBox | None = None
        self.discarded = False  # answered Discard for the picture on screen

    def unsaved(self) -> bool:
        window = self.window
        if window.document is None or window.undo_stack.isClean() or self.discarded:
            return False
        return not self.keep_in_draft()

    def then(self, action: Callable[[], object], doing: str) -> None:
        """Run ``action`` now, or once the clinician has answered Save a copy or Discard."""
        self.window.commit_text()  # text being typed is part of the work
        if not self.unsaved():
            action()
            return
        from PySide6.QtWidgets import QMessageBox

        window = self.window
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Your annotations and redactions on {window.source_name or 'this picture'}"
                          " are not saved or sent.", QMessageBox.StandardButton.NoButton, window)
        box.setInformativeText(f"{doing} throws them away. Sign in to have MedSnap keep them "
                               "as an encrypted draft, or save a clean copy first.")
        save = box.addButton("Save a copy…", QMessageBox.ButtonRole.AcceptRole) \
            if window.policy.allow_save_copy else None
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def answered(button) -> None:
            self.box = None
            if button is discard:
                self.discarded = True
                action()
            elif save is not None and button is save:
                window.sent_preview.save_copy(then=lambda: (window.undo_stack.setClean(),
                                                            action()))

        box.buttonClicked.connect(answered)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.box = box
        box.open()

    def picture_changed(self) -> None:
        self.discarded = False
