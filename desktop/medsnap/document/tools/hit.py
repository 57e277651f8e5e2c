"""Which annotation is under the pointer: the topmost one in paint order."""

from __future__ import annotations

import math

from medsnap.document.annotations import (
    Annotation, Ellipse, RedactionBrush, _Segment, _Stroke)
from medsnap.document.geometry import Point
from medsnap.document.model import Document
from medsnap.document.tools.base import Measure, estimated_bounds

#: how far (screen pixels) from a thin stroke a click still counts as on it
TOLERANCE_SCREEN_PIXELS = 5.0


def paint_order(document: Document) -> tuple[Annotation, ...]:
    """Bottom to top as painted: drawings first, redactions last."""
    return document.drawings() + document.redactions()


def annotation_at(document: Document, point: Point, pixels_per_screen_pixel: float = 1.0,
                  measure: Measure = estimated_bounds) -> Annotation | None:
    tolerance = TOLERANCE_SCREEN_PIXELS * pixels_per_screen_pixel
    for annotation in reversed(paint_order(document)):
        if hits(annotation, point, tolerance, measure):
            return annotation
    return None


def hits(annotation: Annotation, point: Point, tolerance: float,
         measure: Measure = estimated_bounds) -> bool:
    if isinstance(annotation, _Segment):
        reach = annotation.style.width / 2 + tolerance
        return _distance_to_segment(point, annotation.start, annotation.end) <= reach
    if isinstance(annotation, _Stroke):
        width = annotation.width if isinstance(annotation, RedactionBrush) else annotation.style.width
        return _distance_to_polyline(point, annotation.points) <= width / 2 + tolerance
    if isinstance(annotation, Ellipse):
        rect = annotation.rect.grown(annotation.style.width / 2 + tolerance)
        cx, cy = rect.centre
        rx, ry = max(rect.width / 2, 1e-9), max(rect.height / 2, 1e-9)
        return ((point[0] - cx) / rx) ** 2 + ((point[1] - cy) / ry) ** 2 <= 1.0
    return measure(annotation).grown(tolerance).contains(point)


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length_sq = dx * dx + dy * dy
    t = 0.0 if length_sq == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy)
                                                 / length_sq))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def _distance_to_polyline(p: Point, points: tuple[Point, ...]) -> float:
    if len(points) == 1:
        return math.hypot(p[0] - points[0][0], p[1] - points[0][1])
    return min(_distance_to_segment(p, a, b) for a, b in zip(points, points[1:]))


__all__ = ["annotation_at", "hits", "paint_order"]
