"""Zoom and pan arithmetic for the canvas, kept free of widgets so it can be tested alone.

The view shows the image scaled by ``scale`` (screen pixels per image pixel). ``origin`` is
the screen position of image point (0, 0); when the scaled image is smaller than the view it
is centred, otherwise the origin is limited so that no empty band appears at an edge.
"""

from __future__ import annotations


MIN_SCALE = 0.01
MAX_SCALE = 32.0
#: the steps +/- and the wheel move through, as fractions (1.0 = 100%)
ZOOM_STEPS = (0.01, 0.02, 0.03, 0.05, 0.0625, 0.083, 0.1, 0.125, 0.167, 0.2, 0.25, 0.333,
              0.5, 0.667, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0)


class Viewport:
    """Zoom and pan state (a plain class: importing ``dataclasses`` costs start-up time)."""

    def __init__(self, view_width: float = 1.0, view_height: float = 1.0,
                 image_width: float = 1.0, image_height: float = 1.0, image_x: float = 0.0,
                 image_y: float = 0.0, scale: float = 1.0, origin_x: float = 0.0,
                 origin_y: float = 0.0, fitted: bool = True) -> None:
        self.view_width, self.view_height = view_width, view_height
        self.image_width, self.image_height = image_width, image_height
        #: the image point shown at the content's top-left (the crop's corner when cropped)
        self.image_x, self.image_y = image_x, image_y
        self.scale = scale
        self.origin_x, self.origin_y = origin_x, origin_y
        #: True until the clinician zooms or pans: a resized view then fits again
        self.fitted = fitted

    # -- conversions -------------------------------------------------------------------
    def to_image(self, vx: float, vy: float) -> tuple[float, float]:
        return ((vx - self.origin_x) / self.scale + self.image_x,
                (vy - self.origin_y) / self.scale + self.image_y)

    def to_view(self, ix: float, iy: float) -> tuple[float, float]:
        return ((ix - self.image_x) * self.scale + self.origin_x,
                (iy - self.image_y) * self.scale + self.origin_y)

    @property
    def content_width(self) -> float:
        return self.image_width * self.scale

    @property
    def content_height(self) -> float:
        return self.image_height * self.scale

    # -- changes -----------------------------------------------------------------------
    def resize_view(self, width: float, height: float) -> None:
        # keep the image point at the view centre where it is
        cx, cy = self.to_image(self.view_width / 2, self.view_height / 2)
        self.view_width, self.view_height = max(1.0, width), max(1.0, height)
        if self.fitted:
            self.fit()
        else:
            self._place(cx, cy, self.view_width / 2, self.view_height / 2)

    def set_bounds(self, x: float, y: float, width: float, height: float,
                   refit: bool = True) -> None:
        """The part of the image the view scrolls over (the whole image, or the crop)."""
        keep = self.to_image(self.view_width / 2, self.view_height / 2)
        self.image_x, self.image_y = x, y
        self.image_width, self.image_height = max(1.0, width), max(1.0, height)
        if refit:
            self.fit()
        else:
            self._place(keep[0], keep[1], self.view_width / 2, self.view_height / 2)

    def fit_scale(self) -> float:
        return max(MIN_SCALE, min(self.view_width / self.image_width,
                                  self.view_height / self.image_height))

    def fit(self) -> None:
        """Show the whole image, never enlarged beyond 100%."""
        self.scale = min(1.0, self.fit_scale())
        self.fitted = True
        self._place(self.image_x + self.image_width / 2, self.image_y + self.image_height / 2,
                    self.view_width / 2, self.view_height / 2)

    def zoom_to(self, scale: float, anchor: tuple[float, float] | None = None) -> None:
        """Change the scale keeping the image point under ``anchor`` (view coords) fixed."""
        ax, ay = anchor if anchor is not None else (self.view_width / 2, self.view_height / 2)
        ix, iy = self.to_image(ax, ay)
        self.fitted = False
        self.scale = max(MIN_SCALE, min(MAX_SCALE, scale))
        self._place(ix, iy, ax, ay)

    def zoom_by(self, factor: float, anchor: tuple[float, float] | None = None) -> None:
        self.zoom_to(self.scale * factor, anchor)

    def step(self, direction: int, anchor: tuple[float, float] | None = None) -> None:
        """Move to the next larger (+1) or smaller (-1) standard zoom level."""
        if direction > 0:
            bigger = [s for s in ZOOM_STEPS if s > self.scale * 1.001]
            target = bigger[0] if bigger else MAX_SCALE
        else:
            smaller = [s for s in ZOOM_STEPS if s < self.scale * 0.999]
            target = smaller[-1] if smaller else MIN_SCALE
        self.zoom_to(target, anchor)

    def pan_by(self, dx: float, dy: float) -> None:
        self.fitted = False
        self.origin_x += dx
        self.origin_y += dy
        self._limit()

    def scroll_to(self, x: float, y: float) -> None:
        """Scrollbar positions: (x, y) is the content pixel shown at the view's top left."""
        if (-x, -y) != (self.origin_x, self.origin_y):
            self.fitted = False
        self.origin_x, self.origin_y = -x, -y
        self._limit()

    @property
    def scroll_position(self) -> tuple[float, float]:
        return (-self.origin_x, -self.origin_y)

    # -- internals ---------------------------------------------------------------------
    def _place(self, ix: float, iy: float, vx: float, vy: float) -> None:
        self.origin_x = vx - (ix - self.image_x) * self.scale
        self.origin_y = vy - (iy - self.image_y) * self.scale
        self._limit()

    def _limit(self) -> None:
        self.origin_x = _limit_axis(self.origin_x, self.content_width, self.view_width)
        self.origin_y = _limit_axis(self.origin_y, self.content_height, self.view_height)


def _limit_axis(origin: float, content: float, view: float) -> float:
    if content <= view:
        return float(round((view - content) / 2))  # whole pixels: crisp at 100%
    return max(view - content, min(0.0, origin))
