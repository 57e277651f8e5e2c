"""QUndoStack only wraps document Edits; the edits themselves know how to apply and revert."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtGui import QUndoCommand, QUndoStack

if TYPE_CHECKING:
    from medsnap.document.edits import Edit
    from medsnap.document.model import Document


class EditCommand(QUndoCommand):
    def __init__(self, edit: Edit, document: Document, changed: Callable[[], None]) -> None:
        super().__init__(edit.label)
        self.edit, self.document, self.changed = edit, document, changed
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied by push_edit, where errors can be reported
            self._first = False
        else:
            self.edit.apply(self.document)
        self.changed()

    def undo(self) -> None:
        self.edit.revert(self.document)
        self.changed()


def push_edit(stack: QUndoStack, edit: Edit, document: Document,
              changed: Callable[[], None]) -> None:
    """Apply ``edit`` now (raising DocumentError if it does not fit) and make it undoable."""
    edit.apply(document)
    stack.push(EditCommand(edit, document, changed))
