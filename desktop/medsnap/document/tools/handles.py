"""Resize handles: where they are on an annotation (or the crop) and what dragging one does."""

from __future__ import annotations

import dataclasses

from medsnap.document.annotations import Annotation, Marker, Text, _Boxed, _Segment
from medsnap.document.geometry import Point, Rect
from medsnap.document.tools.base import Measure, estimated_bounds

#: half the size of a handle square on screen, in screen pixels
HANDLE_SCREEN_RADIUS = 6.0

#: the eight box handles, named by compass point; permanent names
BOX_HANDLES = ("nw", "n", "ne", "e", "se", "s", "sw", "w")


def box_handle_points(rect: Rect) -> dict[str, Point]:
    cx, cy = rect.centre
    return {"nw": (rect.x, rect.y), "n": (cx, rect.y), "ne": (rect.right, rect.y),
            "e": (rect.right, cy), "se": (rect.right, rect.bottom), "s": (cx, rect.bottom),
            "sw": (rect.x, rect.bottom), "w": (rect.x, cy)}


def handle_points(annotation: Annotation,
                  measure: Measure = estimated_bounds) -> dict[str, Point]:
    """Handles an annotation offers; strokes and markers offer none (they only move)."""
    if isinstance(annotation, _Segment):
        return {"start": annotation.start, "end": annotation.end}
    if isinstance(annotation, _Boxed):
        return box_handle_points(annotation.rect)
    if isinstance(annotation, Text):
        box = measure(annotation)
        return {"e": (box.right, box.centre[1])}
    return {}


def keyboard_handle(annotation: Annotation, measure: Measure = estimated_bounds) -> str | None:
    """The handle the keyboard resizes: the far corner or end; None for what only moves."""
    points = handle_points(annotation, measure)
    for name in ("se", "end", "e"):
        if name in points:
            return name
    return None


def handle_at(points: dict[str, Point], point: Point, pixels_per_screen_pixel: float) -> str | None:
    reach = (HANDLE_SCREEN_RADIUS + 2) * pixels_per_screen_pixel
    for name, (hx, hy) in points.items():
        if abs(point[0] - hx) <= reach and abs(point[1] - hy) <= reach:
            return name
    return None


def resize_rect(rect: Rect, handle: str, point: Point) -> Rect:
    """The rectangle with the edges named by ``handle`` moved to ``point`` (may flip)."""
    left, top, right, bottom = rect.x, rect.y, rect.right, rect.bottom
    if "w" in handle:
        left = point[0]
    if "e" in handle:
        right = point[0]
    if "n" in handle:
        top = point[1]
    if "s" in handle:
        bottom = point[1]
    return Rect.from_points((left, top), (right, bottom))


def as_painted(annotation: Annotation, measure: Measure = estimated_bounds) -> Annotation:
    """A callout or marker at the place it is painted: the painter moves one that would run
    off the exported area, so a drag, nudge or resize starts from what the user sees (not
    from a spot off the picture, which left the box stuck until the pointer got past it)."""
    if isinstance(annotation, Text):
        box = measure(annotation)
        if max(abs(box.x - annotation.position[0]), abs(box.y - annotation.position[1])) > 1e-6:
            return dataclasses.replace(annotation, position=(box.x, box.y))
    elif isinstance(annotation, Marker):
        centre = measure(annotation).centre
        if max(abs(centre[0] - annotation.centre[0]), abs(centre[1] - annotation.centre[1])) > 1e-6:
            return dataclasses.replace(annotation, centre=centre)
    return annotation


def resized(annotation: Annotation, handle: str, point: Point) -> Annotation:
    if isinstance(annotation, _Segment):
        return dataclasses.replace(annotation, **{handle: point})
    if isinstance(annotation, _Boxed):
        return dataclasses.replace(annotation, rect=resize_rect(annotation.rect, handle, point))
    if isinstance(annotation, Text) and handle == "e":
        width = max(point[0] - annotation.position[0], annotation.style.font_size * 2)
        return dataclasses.replace(annotation, box_width=width)
    return annotation
