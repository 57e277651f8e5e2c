"""Freehand tools: pen, highlighter and the redaction brush record the pointer's path."""

from __future__ import annotations

import math

from medsnap.document.annotations import Annotation, Highlighter, Pen, RedactionBrush, new_id
from medsnap.document.edits import AddAnnotation, Edit
from medsnap.document.geometry import Point
from medsnap.document.tools.base import PointerEvent, Tool, estimated_bounds

#: skip pointer samples closer than this (screen pixels) to the last kept one
MIN_STEP_SCREEN_PIXELS = 1.5
MAX_STROKE_POINTS = 20_000


class _StrokeTool(Tool):
    def __init__(self, document, style, measure=estimated_bounds) -> None:
        super().__init__(document, style, measure)
        self._points: list[Point] = []
        self._min_step = MIN_STEP_SCREEN_PIXELS

    def press(self, event: PointerEvent) -> Edit | None:
        self._points = [event.point]
        self._id = new_id()
        self._min_step = MIN_STEP_SCREEN_PIXELS * event.pixels_per_screen_pixel
        return None

    def move(self, event: PointerEvent) -> Edit | None:
        if not self._points or len(self._points) >= MAX_STROKE_POINTS:
            return None
        last = self._points[-1]
        if math.hypot(event.x - last[0], event.y - last[1]) >= self._min_step:
            self._points.append(event.point)
        return None

    def release(self, event: PointerEvent) -> Edit | None:
        if not self._points:
            return None
        if self._points[-1] != event.point and len(self._points) < MAX_STROKE_POINTS:
            self._points.append(event.point)
        annotation = self.preview()
        self.cancel()
        return AddAnnotation(annotation) if annotation is not None else None

    def preview(self) -> Annotation | None:
        if not self._points:
            return None
        points = self._points if len(self._points) > 1 else self._points * 2  # a click: a dot
        return self._make(tuple(points))

    def cancel(self) -> None:
        self._points = []

    def _make(self, points: tuple[Point, ...]) -> Annotation:
        raise NotImplementedError


class PenTool(_StrokeTool):
    tool_id = "pen"
    hint = "Drag to draw freehand."

    def _make(self, points: tuple[Point, ...]) -> Annotation:
        return Pen(id=self._id, points=points, style=self.style)


class HighlighterTool(_StrokeTool):
    tool_id = "highlighter"
    hint = "Drag over text to highlight it; the text stays readable."

    def _make(self, points: tuple[Point, ...]) -> Annotation:
        return Highlighter(id=self._id, points=points, style=self.style)


class RedactionBrushTool(_StrokeTool):
    tool_id = "redaction-brush"
    hint = "Paint over an identifier to black it out. The pixels underneath are destroyed."

    def _make(self, points: tuple[Point, ...]) -> Annotation:
        return RedactionBrush(id=self._id, points=points, width=self.style.width)
