"""Ask before unsent work is thrown away: opening (pasting, capturing, dropping) another
picture, or quitting, with annotations or redactions that are not sent or saved.

The question offers Save a copy… / Discard / Cancel; Cancel is the default and Escape, so a
stray Enter never loses work. Signed in (and unlocked), nothing is asked: replacing the
picture keeps it as an encrypted draft first (``keep_aside``, set by the messaging side;
Messages ▸ Drafts… reopens it), and quitting saves the draft that the next sign-in restores
(``keep_in_draft``). The question is left where no draft can keep the work (nobody signed
in, or locked), or where writing the draft failed; there Discard or a saved copy deletes
the draft too, so none is left that no window item reaches.
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
        # (then, refused) -> False when no draft can keep the picture being replaced; else
        # ``then`` runs once its draft is written, ``refused(reason)`` if it could not be
        self.keep_aside: Callable[[Callable[[], None], Callable[[str], None]], bool] = \
            lambda _then, _refused: False
        self.has_draft: Callable[[], bool] = lambda: False  # an encrypted draft holds it
        self.forget_draft: Callable[[], None] = lambda: None  # it was discarded or saved
        self.box: QMessageBox | None = None
        self.discarded = False  # answered Discard for the picture on screen

    def unsent(self) -> bool:
        window = self.window
        return not (window.document is None or window.undo_stack.isClean() or self.discarded)

    def unsaved(self, leaving: bool = True) -> bool:
        """Work that would be lost: ``leaving`` (quitting), the encrypted draft may keep it;
        replacing the picture, it may not (see the module's docstring)."""
        if not self.unsent():
            return False
        return not (leaving and self.keep_in_draft())

    def then(self, action: Callable[[], object], doing: str, leaving: bool = False) -> None:
        """Run ``action`` now, or once the clinician has answered Save a copy or Discard."""
        self.window.commit_text()  # text being typed is part of the work
        if not self.unsaved(leaving):
            action()
            return
        if not leaving and self.keep_aside(action, lambda why: self._ask(action, doing, why)):
            return  # signed in: kept as a draft, then ``action`` runs
        self._ask(action, doing)

    def _ask(self, action: Callable[[], object], doing: str, not_kept: str = "") -> None:
        from PySide6.QtWidgets import QMessageBox

        window = self.window
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Your annotations and redactions on {window.source_name or 'this picture'}"
                          " are not saved or sent.", QMessageBox.StandardButton.NoButton, window)
        if not_kept:  # signed in, but the draft could not be written
            box.setInformativeText(f"They could not be kept as an encrypted draft: {not_kept} "
                                   f"{doing} throws them away. Send them first, or save a "
                                   "clean copy.")
        elif self.has_draft():  # locked: the draft goes with the picture
            box.setInformativeText(f"{doing} throws them away, and their encrypted draft. "
                                   "Send them first, or save a clean copy.")
        else:
            box.setInformativeText(f"{doing} throws them away. Sign in to have MedSnap keep "
                                   "them as an encrypted draft, or save a clean copy first.")
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
                self.forget_draft()
                action()
            elif save is not None and button is save:
                window.sent_preview.save_copy(then=lambda: (window.undo_stack.setClean(),
                                                            self.forget_draft(), action()))

        box.buttonClicked.connect(answered)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.box = box
        box.open()

    def picture_changed(self) -> None:
        self.discarded = False
