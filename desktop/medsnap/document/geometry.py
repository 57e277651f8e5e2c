"""Rectangles and points in pixels of the upright source image."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from medsnap.document import checks

#: (x, y) in image pixels
Point = tuple[float, float]


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle; width and height are never negative."""

    x: float
    y: float
    width: float
    height: float

    def __post_init__(self) -> None:
        for name in ("x", "y", "width", "height"):
            low = 0.0 if name in ("width", "height") else -checks.MAX_COORDINATE
            object.__setattr__(self, name, checks.number(getattr(self, name), f"rect {name}",
                                                         low=low))

    @classmethod
    def from_points(cls, a: Point, b: Point) -> Rect:
        """The rectangle spanned by two corners given in any order (e.g. a drag)."""
        left, right = sorted((a[0], b[0]))
        top, bottom = sorted((a[1], b[1]))
        return cls(left, top, right - left, bottom - top)

    @classmethod
    def bounding(cls, points: Iterable[Point]) -> Rect:
        xs, ys = zip(*points)
        return cls(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def is_empty(self) -> bool:
        return self.width <= 0 or self.height <= 0

    def contains(self, p: Point) -> bool:
        return self.x <= p[0] <= self.right and self.y <= p[1] <= self.bottom

    def contains_rect(self, other: Rect) -> bool:
        return (self.x <= other.x and self.y <= other.y
                and other.right <= self.right and other.bottom <= self.bottom)

    def intersects(self, other: Rect) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def intersection(self, other: Rect) -> Rect | None:
        left, top = max(self.x, other.x), max(self.y, other.y)
        right, bottom = min(self.right, other.right), min(self.bottom, other.bottom)
        if right <= left or bottom <= top:
            return None
        return Rect(left, top, right - left, bottom - top)

    def united(self, other: Rect) -> Rect:
        left, top = min(self.x, other.x), min(self.y, other.y)
        right, bottom = max(self.right, other.right), max(self.bottom, other.bottom)
        return Rect(left, top, right - left, bottom - top)

    def translated(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.width, self.height)

    def grown(self, margin: float) -> Rect:
        """Grown by margin on every side (shrunk if negative, never below empty)."""
        width, height = self.width + 2 * margin, self.height + 2 * margin
        return Rect(self.x - margin, self.y - margin, max(width, 0.0), max(height, 0.0))

    def pixel_box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in whole pixels covering every pixel the rect touches."""
        return (math.floor(self.x), math.floor(self.y),
                math.ceil(self.right), math.ceil(self.bottom))
