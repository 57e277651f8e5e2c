"""The numbered marker: each click places the next number (1, 2, 3...), or from
``first_number`` on: a reply carries on from the numbers its sender drew, which arrive as
pixels MedSnap cannot count (the window's "Next" box sets it)."""

from __future__ import annotations

from medsnap.document.annotations import MAX_MARKER_NUMBER, Annotation, Marker, new_id
from medsnap.document.edits import AddAnnotation, Edit
from medsnap.document.model import Document
from medsnap.document.tools.base import PointerEvent, Tool, estimated_bounds


def next_number(document: Document, at_least: int = 1) -> int:
    """One more than the highest number already on the picture (1 for the first), or
    ``at_least`` if that is higher."""
    numbers = [a.number for a in document.annotations if isinstance(a, Marker)]
    return min(max(max(numbers, default=0) + 1, at_least), MAX_MARKER_NUMBER)


class MarkerTool(Tool):
    tool_id = "marker"
    hint = ("Click to place the next number; refer to it in your note. Replying to "
            "numbers? Raise Next to carry on from them.")

    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self._centre: tuple[float, float] | None = None
        self.first_number = 1

    def press(self, event: PointerEvent) -> Edit | None:
        self._centre = event.point
        self._id = new_id()
        return None

    def move(self, event: PointerEvent) -> Edit | None:
        if self._centre is not None:
            self._centre = event.point
        return None

    def release(self, event: PointerEvent) -> Edit | None:
        if self._centre is None:
            return None
        self._centre = event.point
        annotation = self.preview()
        self.cancel()
        return AddAnnotation(annotation) if annotation is not None else None

    def preview(self) -> Annotation | None:
        if self._centre is None:
            return None
        return Marker(id=self._id, number=next_number(self.document, self.first_number),
                      centre=self._centre, style=self.style)

    def cancel(self) -> None:
        self._centre = None
