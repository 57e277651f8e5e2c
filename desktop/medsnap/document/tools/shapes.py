"""Drag tools: press at one corner or end, drag, release to place the annotation."""

from __future__ import annotations

from medsnap.document.edits import AddAnnotation, Edit
from medsnap.document.annotations import (
    Annotation, Arrow, Ellipse, Line, Rectangle, Redaction, new_id)
from medsnap.document.geometry import Point, Rect
from medsnap.document.tools.base import (
    PointerEvent, Tool, constrain_45, estimated_bounds, square_corner)

#: a drag shorter than this many screen pixels is a stray click, not a shape
MIN_DRAG_SCREEN_PIXELS = 3.0


class _DragTool(Tool):
    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self._start: Point | None = None
        self._end: Point | None = None
        self._scale = 1.0

    def press(self, event: PointerEvent) -> Edit | None:
        self._start = self._end = event.point
        self._id = new_id()  # one id for the whole gesture: preview and result match
        self._scale = event.pixels_per_screen_pixel
        return None

    def move(self, event: PointerEvent) -> Edit | None:
        if self._start is not None:
            self._end = self._constrain(self._start, event.point, event.shift)
        return None

    def release(self, event: PointerEvent) -> Edit | None:
        if self._start is None:
            return None
        self.move(event)
        annotation = self.preview()
        long_enough = self._extent() >= MIN_DRAG_SCREEN_PIXELS * self._scale
        self.cancel()
        if annotation is None or not long_enough:
            return None
        return AddAnnotation(annotation)

    def preview(self) -> Annotation | None:
        if self._start is None or self._end is None:
            return None
        return self._make(self._start, self._end)

    def cancel(self) -> None:
        self._start = self._end = None

    def _extent(self) -> float:
        assert self._start is not None and self._end is not None
        dx, dy = abs(self._end[0] - self._start[0]), abs(self._end[1] - self._start[1])
        return max(dx, dy)

    def _constrain(self, start: Point, end: Point, shift: bool) -> Point:
        return end

    def _make(self, start: Point, end: Point) -> Annotation:
        raise NotImplementedError


class _SegmentTool(_DragTool):
    kind: type = Line

    def _constrain(self, start: Point, end: Point, shift: bool) -> Point:
        return constrain_45(start, end) if shift else end

    def _make(self, start: Point, end: Point) -> Annotation:
        return self.kind(id=self._id, start=start, end=end, style=self.style)


class ArrowTool(_SegmentTool):
    tool_id = "arrow"
    kind = Arrow
    hint = "Drag from what you point at to where the head goes. Shift keeps 45° angles."


class LineTool(_SegmentTool):
    tool_id = "line"
    kind = Line
    hint = "Drag to draw a line. Shift keeps 45° angles."


class _BoxTool(_DragTool):
    kind: type = Rectangle

    def _constrain(self, start: Point, end: Point, shift: bool) -> Point:
        return square_corner(start, end) if shift else end

    def _make(self, start: Point, end: Point) -> Annotation:
        return self.kind(id=self._id, rect=Rect.from_points(start, end), style=self.style)


class RectangleTool(_BoxTool):
    tool_id = "rectangle"
    kind = Rectangle
    hint = "Drag to draw a rectangle. Shift draws a square."


class EllipseTool(_BoxTool):
    tool_id = "ellipse"
    kind = Ellipse
    hint = "Drag to draw an ellipse. Shift draws a circle."


class RedactionTool(_BoxTool):
    tool_id = "redaction"
    kind = Redaction
    styled = False
    hint = ("Drag over an identifier, or press Enter, to black it out. "
            "The pixels underneath are destroyed.")

    def _make(self, start: Point, end: Point) -> Annotation:
        return Redaction(id=self._id, rect=Rect.from_points(start, end))
