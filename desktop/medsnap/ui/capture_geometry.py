"""Screen-capture arithmetic, free of Qt so it can be tested for any monitor layout.

Qt gives each screen a geometry in logical (device-independent) pixels and a device pixel
ratio (1.25, 1.5, 2 at 125/150/200% scaling); a grab of that screen is in device pixels.
The clinician drags in logical pixels on one screen's overlay; the region cut from that
screen's grab must cover exactly the same physical pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenInfo:
    """One monitor: its top-left on the virtual desktop and size, in logical pixels."""

    x: int
    y: int
    width: int
    height: int
    device_pixel_ratio: float = 1.0

    def contains(self, gx: float, gy: float) -> bool:
        return self.x <= gx < self.x + self.width and self.y <= gy < self.y + self.height

    @property
    def device_size(self) -> tuple[int, int]:
        return (round(self.width * self.device_pixel_ratio),
                round(self.height * self.device_pixel_ratio))


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0


def drag_rect(start: tuple[float, float], end: tuple[float, float],
              screen: ScreenInfo) -> tuple[float, float, float, float]:
    """The dragged rectangle in the screen's local logical pixels, kept on that screen."""
    def clamp(value: float, high: float) -> float:
        return max(0.0, min(high, value))
    x0, x1 = sorted((clamp(start[0], screen.width), clamp(end[0], screen.width)))
    y0, y1 = sorted((clamp(start[1], screen.height), clamp(end[1], screen.height)))
    return (x0, y0, x1 - x0, y1 - y0)


def to_device(rect: tuple[float, float, float, float], screen: ScreenInfo,
              grab_size: tuple[int, int] | None = None) -> Box:
    """The device-pixel box of the screen's grab that ``rect`` (local logical) covers.

    Edges are rounded outwards, so a partly covered device pixel is included, and the box is
    limited to the grab (whose size may differ by a pixel from width x ratio).
    """
    ratio = screen.device_pixel_ratio
    grab_width, grab_height = grab_size or screen.device_size
    x, y, width, height = rect
    left = max(0, math.floor(round(x * ratio, 6)))
    top = max(0, math.floor(round(y * ratio, 6)))
    right = min(grab_width, math.ceil(round((x + width) * ratio, 6)))
    bottom = min(grab_height, math.ceil(round((y + height) * ratio, 6)))
    return Box(left, top, right - left, bottom - top)


def screen_at(screens: list[ScreenInfo], gx: float, gy: float) -> int | None:
    """Index of the screen holding the global logical point, or None (a gap between them)."""
    for index, screen in enumerate(screens):
        if screen.contains(gx, gy):
            return index
    return None
