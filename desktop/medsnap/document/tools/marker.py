"""The numbered marker: each click places the next number (1, 2, 3...)."""

from __future__ import annotations

from medsnap.document.annotations import Annotation, Marker, new_id
from medsnap.document.edits import AddAnnotation, Edit
from medsnap.document.model import Document
from medsnap.document.tools.base import PointerEvent, Tool, estimated_bounds


def next_number(document: Document) -> int:
    """One more than the highest number already on the picture (1 for the first)."""
    numbers = [a.number for a in document.annotations if isinstance(a, Marker)]
    return min(max(numbers, default=0) + 1, 9999)


class MarkerTool(Tool):
    tool_id = "marker"
    hint = "Click to place the next number; refer to it in your note."

    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self._centre: tuple[float, float] | None = None

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
        return Marker(id=self._id, number=next_number(self.document), centre=self._centre, style=self.style)

    def cancel(self) -> None:
        self._centre = None
