"""The interface every annotation tool implements, and the pointer event it consumes.

Tools are pure state machines: the canvas converts mouse input to image pixels, feeds
``press``/``move``/``release``, paints ``preview()`` while a gesture is in progress, and
pushes the returned Edit onto its undo stack. No tool knows about Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from medsnap.document import Annotation, Document, Edit, Rect, Style

#: how big an annotation really is; the window passes one that measures text exactly
Measure = Callable[["Annotation"], "Rect"]


def estimated_bounds(annotation: Annotation) -> Rect:
    return annotation.bounds()


class Buttons(IntFlag):
    NONE = 0
    LEFT = 1
    RIGHT = 2
    MIDDLE = 4


class Modifiers(IntFlag):
    NONE = 0
    SHIFT = 1
    CONTROL = 2
    ALT = 4


@dataclass(frozen=True)
class PointerEvent:
    """A pointer position in image pixels (upright source image, not the crop)."""

    x: float
    y: float
    buttons: Buttons = Buttons.LEFT
    modifiers: Modifiers = Modifiers.NONE
    #: image pixels per screen pixel, so hit-testing tolerances stay constant on screen
    pixels_per_screen_pixel: float = 1.0

    @property
    def shift(self) -> bool:
        return bool(self.modifiers & Modifiers.SHIFT)

    @property
    def point(self) -> tuple[float, float]:
        return (self.x, self.y)


class Tool:
    """Base class: one small subclass per tool, each with a stable ``tool_id``."""

    #: permanent identifier (settings keys, shortcuts); add new ids, never rename
    tool_id: str = ""
    #: a one-line hint shown in the status bar while the tool is active
    hint: str = ""
    #: True when the tool uses a colour and width the clinician picks
    styled: bool = True

    def __init__(self, document: Document, style: Style,
                 measure: Measure = estimated_bounds) -> None:
        self.document = document
        self.style = style
        self.measure = measure

    def press(self, event: PointerEvent) -> Edit | None:
        return None

    def move(self, event: PointerEvent) -> Edit | None:
        return None

    def release(self, event: PointerEvent) -> Edit | None:
        return None

    def preview(self) -> Annotation | None:
        """The annotation being drawn right now (painted by the canvas), or None."""
        return None

    def cancel(self) -> None:
        """Abandon a gesture in progress (Esc, tool switch)."""

    @property
    def busy(self) -> bool:
        """True while a gesture is in progress."""
        return self.preview() is not None


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def constrain_45(start: tuple[float, float], end: tuple[float, float]) -> tuple[float, float]:
    """Snap the segment start->end to the nearest multiple of 45 degrees (Shift-drag)."""
    import math

    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return end
    angle = round(math.atan2(dy, dx) / (math.pi / 4)) * (math.pi / 4)
    return (start[0] + length * math.cos(angle), start[1] + length * math.sin(angle))


def square_corner(start: tuple[float, float], end: tuple[float, float]) -> tuple[float, float]:
    """The corner that makes start->end a square (Shift-drag of a box)."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    side = max(abs(dx), abs(dy))
    return (start[0] + (side if dx >= 0 else -side), start[1] + (side if dy >= 0 else -side))
