"""The annotation kinds: immutable values with a stable id, a stable kind and a Style.

A change never mutates an annotation; an edit replaces it with a new value carrying the
same id (``dataclasses.replace`` or ``moved``). Kind strings are permanent (saved drafts).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from medsnap.document import checks
from medsnap.document.geometry import Point, Rect
from medsnap.document.style import HIGHLIGHTER_STYLE, REDACTION_STYLE, Style

A = TypeVar("A", bound="Annotation")


def new_id() -> str:
    import uuid  # loads `platform` (~3 ms): when the first annotation is made, not at start

    return uuid.uuid4().hex


@dataclass(frozen=True, kw_only=True)
class Annotation:
    kind: ClassVar[str] = ""
    #: True for kinds that destroy pixels; they are painted last, opaque
    redacts: ClassVar[bool] = False

    id: str = field(default_factory=new_id)
    style: Style = field(default_factory=Style)

    def __post_init__(self) -> None:
        checks.identifier(self.id)
        if not isinstance(self.style, Style):
            raise checks.bad(f"{self.kind} style", "must be a Style")

    def moved(self: A, dx: float, dy: float) -> A:
        """The same annotation shifted by (dx, dy) pixels."""
        raise NotImplementedError

    def bounds(self) -> Rect:
        """Everything this annotation paints, stroke included (text: an estimate)."""
        raise NotImplementedError


def _shift(p: Point, dx: float, dy: float) -> Point:
    return (p[0] + dx, p[1] + dy)


def _check_points(ann: Annotation, *names: str) -> None:
    for name in names:
        object.__setattr__(ann, name, checks.point(getattr(ann, name), f"{ann.kind} {name}"))


@dataclass(frozen=True, kw_only=True)
class _Segment(Annotation):
    start: Point
    end: Point

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_points(self, "start", "end")

    def moved(self, dx: float, dy: float):
        return dataclasses.replace(self, start=_shift(self.start, dx, dy),
                                   end=_shift(self.end, dx, dy))

    def bounds(self) -> Rect:
        return Rect.from_points(self.start, self.end).grown(self.style.width / 2)


@dataclass(frozen=True, kw_only=True)
class Line(_Segment):
    kind: ClassVar[str] = "line"


@dataclass(frozen=True, kw_only=True)
class Arrow(_Segment):
    """A line with a filled head at ``end``; the head grows with the stroke width."""

    kind: ClassVar[str] = "arrow"

    def head(self) -> tuple[Point, Point, Point, Point]:
        """(tip, left corner, right corner, base centre) of the head triangle."""
        return arrow_head(self.start, self.end, self.style.width)

    def bounds(self) -> Rect:
        return Rect.bounding((self.start, *self.head()[:3])).grown(self.style.width / 2)


def arrow_head(start: Point, end: Point, width: float) -> tuple[Point, Point, Point, Point]:
    length = 3.0 * width + 8.0
    half = 1.5 * width + 4.0
    dx, dy = end[0] - start[0], end[1] - start[1]
    distance = math.hypot(dx, dy)
    ux, uy = (dx / distance, dy / distance) if distance > 0 else (1.0, 0.0)
    length = min(length, distance) if distance > 0 else length
    base = (end[0] - ux * length, end[1] - uy * length)
    left = (base[0] - uy * half, base[1] + ux * half)
    right = (base[0] + uy * half, base[1] - ux * half)
    return (end, left, right, base)


@dataclass(frozen=True, kw_only=True)
class _Boxed(Annotation):
    rect: Rect

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.rect, Rect):
            raise checks.bad(f"{self.kind} rect", "must be a Rect")

    def moved(self, dx: float, dy: float):
        return dataclasses.replace(self, rect=self.rect.translated(dx, dy))

    def bounds(self) -> Rect:
        return self.rect.grown(self.style.width / 2)


@dataclass(frozen=True, kw_only=True)
class Rectangle(_Boxed):
    kind: ClassVar[str] = "rectangle"


@dataclass(frozen=True, kw_only=True)
class Ellipse(_Boxed):
    kind: ClassVar[str] = "ellipse"


@dataclass(frozen=True, kw_only=True)
class Redaction(_Boxed):
    """An opaque box: every pixel it touches becomes black in the export."""

    kind: ClassVar[str] = "redaction"
    redacts: ClassVar[bool] = True
    style: Style = field(default_factory=lambda: REDACTION_STYLE)

    def bounds(self) -> Rect:
        return self.rect


@dataclass(frozen=True, kw_only=True)
class _Stroke(Annotation):
    points: tuple[Point, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "points", checks.points(self.points, f"{self.kind} points"))

    def stroke_width(self) -> float:
        return self.style.width

    def moved(self, dx: float, dy: float):
        return dataclasses.replace(self, points=tuple(_shift(p, dx, dy) for p in self.points))

    def bounds(self) -> Rect:
        return Rect.bounding(self.points).grown(self.stroke_width() / 2)


@dataclass(frozen=True, kw_only=True)
class Pen(_Stroke):
    kind: ClassVar[str] = "pen"


@dataclass(frozen=True, kw_only=True)
class Highlighter(_Stroke):
    """A wide translucent stroke that darkens like a marker pen, keeping text readable."""

    kind: ClassVar[str] = "highlighter"
    style: Style = field(default_factory=lambda: HIGHLIGHTER_STYLE)


@dataclass(frozen=True, kw_only=True)
class RedactionBrush(_Stroke):
    """A freehand opaque stroke of its own ``width``; painted black, last."""

    kind: ClassVar[str] = "redaction-brush"
    redacts: ClassVar[bool] = True
    width: float = 24.0
    style: Style = field(default_factory=lambda: REDACTION_STYLE)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "width", checks.positive(self.width, "redaction-brush width"))

    def stroke_width(self) -> float:
        return self.width


@dataclass(frozen=True, kw_only=True)
class Text(Annotation):
    """A callout: ``text`` in a readable box whose top-left corner is ``position``.

    ``box_width`` is the box's outer width in pixels (the text wraps inside it, within
    the padding); None sizes the box to the text.
    The font size is ``style.font_size`` (pixels).
    """

    kind: ClassVar[str] = "text"
    text: str
    position: Point
    box_width: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "text", checks.text(self.text, "text"))
        _check_points(self, "position")
        if self.box_width is not None:
            object.__setattr__(self, "box_width", checks.positive(self.box_width,
                                                                  "text box width",
                                                                  high=checks.MAX_COORDINATE))

    def moved(self, dx: float, dy: float):
        return dataclasses.replace(self, position=_shift(self.position, dx, dy))

    def padding(self) -> float:
        return text_padding(self.style.font_size)

    def bounds(self) -> Rect:
        # An estimate from the font size; the painter (render.text_rect) knows exactly.
        size = self.style.font_size
        lines = self.text.split("\n") or [""]
        pad = self.padding()
        natural = max(len(line) for line in lines) * 0.6 * size
        inner = natural if self.box_width is None else max(self.box_width - 2 * pad, 1.0)
        rows = sum(max(1, math.ceil(len(line) * 0.6 * size / inner)) if inner > 0 else 1
                   for line in lines)
        return Rect(self.position[0], self.position[1], inner + 2 * pad,
                    rows * 1.25 * size + 2 * pad)


def text_padding(font_size: float) -> float:
    return max(2.0, font_size * 0.3)


MAX_MARKER_NUMBER = 9999  # the highest a marker carries: checked on load, kept by the tools


@dataclass(frozen=True, kw_only=True)
class Marker(Annotation):
    """A numbered disc (1, 2, 3...) centred on ``centre``; size follows the font size."""

    kind: ClassVar[str] = "marker"
    number: int
    centre: Point

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "number", checks.integer(self.number, "marker number",
                                                          low=0, high=MAX_MARKER_NUMBER))
        _check_points(self, "centre")

    def radius(self) -> float:
        return marker_radius(self.style.font_size)

    def moved(self, dx: float, dy: float):
        return dataclasses.replace(self, centre=_shift(self.centre, dx, dy))

    def bounds(self) -> Rect:
        r = self.radius()
        return Rect(self.centre[0] - r, self.centre[1] - r, 2 * r, 2 * r)


def marker_radius(font_size: float) -> float:
    return font_size * 0.85


#: kind -> class; permanent names, add new kinds at the bottom
ANNOTATION_TYPES: dict[str, type[Annotation]] = {
    cls.kind: cls
    for cls in (Arrow, Line, Rectangle, Ellipse, Pen, Highlighter, Text, Marker,
                Redaction, RedactionBrush)
}
