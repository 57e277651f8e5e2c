"""Every change to a Document is an Edit: ``apply(doc)``, ``revert(doc)`` and a ``label``.

The UI wraps edits in QUndoStack commands; nothing here knows about Qt. An edit checks
that the document is in the state it expects and raises DocumentError otherwise, so an
undo stack that got out of step fails loudly instead of corrupting the drawing.
"""

from __future__ import annotations

from typing import Iterable, Protocol, runtime_checkable

from medsnap.document.annotations import Annotation
from medsnap.document.geometry import Rect
from medsnap.document.model import Document
from medsnap.errors import DocumentError


@runtime_checkable
class Edit(Protocol):
    label: str

    def apply(self, document: Document) -> None: ...

    def revert(self, document: Document) -> None: ...


def kind_name(annotation: Annotation) -> str:
    """How a person calls the kind in an undo label: 'Add arrow', 'Delete redaction'."""
    return {"redaction-brush": "redaction", "marker": "number", "pen": "drawing"}.get(
        annotation.kind, annotation.kind)


def _out_of_step(label: str) -> DocumentError:
    return DocumentError(f"Cannot undo or redo '{label}': the drawing has changed since. "
                         "The picture is untouched; the drawing may need to be reopened.")


class AddAnnotation:
    """Put ``annotation`` at ``index`` in the stack (None: on top)."""

    def __init__(self, annotation: Annotation, index: int | None = None,
                 label: str | None = None):
        self.annotation = annotation
        self.index = index
        self.label = label or f"Add {kind_name(annotation)}"

    def apply(self, document: Document) -> None:
        index = len(document.annotations) if self.index is None else self.index
        document.insert(index, self.annotation)

    def revert(self, document: Document) -> None:
        if document.find(self.annotation.id) != self.annotation:
            raise _out_of_step(self.label)
        document.remove(self.annotation.id)


class RemoveAnnotation:
    def __init__(self, annotation: Annotation, label: str | None = None):
        self.annotation = annotation
        self.label = label or f"Delete {kind_name(annotation)}"
        self._index: int | None = None

    def apply(self, document: Document) -> None:
        if document.find(self.annotation.id) != self.annotation:
            raise _out_of_step(self.label)
        self._index, _ = document.remove(self.annotation.id)

    def revert(self, document: Document) -> None:
        if self._index is None:
            raise _out_of_step(self.label)
        document.insert(self._index, self.annotation)


class ReplaceAnnotation:
    """Swap ``before`` for ``after`` (same id): a move, resize, restyle or text change."""

    def __init__(self, before: Annotation, after: Annotation, label: str | None = None):
        if before.id != after.id:
            raise DocumentError("A change must keep the annotation's id.")
        self.before = before
        self.after = after
        self.label = label or f"Change {kind_name(after)}"

    def apply(self, document: Document) -> None:
        if document.find(self.before.id) != self.before:
            raise _out_of_step(self.label)
        document.replace(self.after)

    def revert(self, document: Document) -> None:
        if document.find(self.after.id) != self.after:
            raise _out_of_step(self.label)
        document.replace(self.before)


class Restack:
    """Move an annotation to ``index`` in the paint order (bring forward / send back)."""

    def __init__(self, annotation: Annotation, index: int, label: str | None = None):
        self.annotation = annotation
        self.index = index
        self.label = label or f"Reorder {kind_name(annotation)}"
        self._old_index: int | None = None

    def apply(self, document: Document) -> None:
        if document.find(self.annotation.id) != self.annotation:
            raise _out_of_step(self.label)
        self._old_index = document.move_to(self.annotation.id, self.index)

    def revert(self, document: Document) -> None:
        if self._old_index is None or document.find(self.annotation.id) != self.annotation:
            raise _out_of_step(self.label)
        document.move_to(self.annotation.id, self._old_index)


class SetCrop:
    def __init__(self, before: Rect | None, after: Rect | None, label: str | None = None):
        self.before = before
        self.after = after
        self.label = label or ("Remove crop" if after is None else "Crop")

    def apply(self, document: Document) -> None:
        if document.crop != self.before:
            raise _out_of_step(self.label)
        document.set_crop(self.after)

    def revert(self, document: Document) -> None:
        if document.crop != self.after:
            raise _out_of_step(self.label)
        document.set_crop(self.before)


class Compound:
    """Several edits as one undo step; a failing part leaves the document as it was."""

    def __init__(self, edits: Iterable[Edit], label: str):
        self.edits = tuple(edits)
        self.label = label

    def apply(self, document: Document) -> None:
        done: list[Edit] = []
        try:
            for edit in self.edits:
                edit.apply(document)
                done.append(edit)
        except Exception:
            for edit in reversed(done):
                edit.revert(document)
            raise

    def revert(self, document: Document) -> None:
        done: list[Edit] = []
        try:
            for edit in reversed(self.edits):
                edit.revert(document)
                done.append(edit)
        except Exception:
            for edit in reversed(done):
                edit.apply(document)
            raise
