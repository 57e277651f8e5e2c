"""A level-of-detail pyramid of the picture, so every repaint draws only what is exposed.

Level 0 is the full image; each next level halves both sides. A repaint picks the level
whose resolution is just above the screen scale and draws only the exposed part of it, so a
50-megapixel image at "fit" costs no more than a small one. Levels are built with Pillow off
the UI thread (QImage may be created on any thread; QPixmap may not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

#: stop halving once the longer side is this small
SMALLEST_SIDE = 512


def qimage_from_pil(image: Image.Image) -> QImage:
    """A QImage that owns its pixels, in the fastest format for the raster painter."""
    if image.mode == "RGBA":
        data = image.tobytes("raw", "RGBA")
        wrapped = QImage(data, image.width, image.height, image.width * 4,
                         QImage.Format.Format_RGBA8888)
        return wrapped.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    if image.mode == "L":  # a radiograph: Qt widens the one grey plane itself
        data = image.tobytes()
        wrapped = QImage(data, image.width, image.height, image.width,
                         QImage.Format.Format_Grayscale8)
        return wrapped.convertToFormat(QImage.Format.Format_RGB32)
    if image.mode != "RGB":
        image = image.convert("RGB")
    data = image.tobytes("raw", "RGB")
    wrapped = QImage(data, image.width, image.height, image.width * 3,
                     QImage.Format.Format_RGB888)
    return wrapped.convertToFormat(QImage.Format.Format_RGB32)


@dataclass
class Level:
    image: QImage
    scale: float  # level pixels per full-image pixel


class Pyramid:
    def __init__(self, full_width: int, full_height: int, levels: list[Level]) -> None:
        self.full_width, self.full_height = full_width, full_height
        self.levels = sorted(levels, key=lambda level: -level.scale)

    @classmethod
    def build(cls, image: Image.Image, *, scale: float = 1.0,
              full_size: tuple[int, int] | None = None) -> Pyramid:
        """Levels from ``image``; ``scale`` < 1 marks a reduced (draft) decode of a larger
        image whose real size is ``full_size``."""
        width, height = full_size or image.size
        levels = [Level(qimage_from_pil(image), scale)]
        current, current_scale = image, scale
        while max(current.size) > SMALLEST_SIDE * 2:
            current = current.reduce(2)
            current_scale /= 2
            levels.append(Level(qimage_from_pil(current), current_scale))
        return cls(width, height, levels)

    @property
    def is_draft(self) -> bool:
        return self.levels[0].scale < 1.0

    def level_for(self, screen_scale: float) -> Level:
        """The coarsest level still at least as sharp as the screen (or the sharpest)."""
        chosen = self.levels[0]
        for level in self.levels:
            if level.scale >= screen_scale * 0.999:
                chosen = level
        return chosen

    def draw(self, painter: QPainter, exposed: QRectF, screen_scale: float) -> None:
        """Paint the image region ``exposed`` (full-image coordinates) where the painter's
        transform maps full-image coordinates to the screen."""
        bounds = QRectF(0, 0, self.full_width, self.full_height)
        region = exposed.intersected(bounds)
        if region.isEmpty():
            return
        level = self.level_for(screen_scale)
        # snap to whole level pixels so neighbouring repaints sample identically
        s = level.scale
        left, top = math.floor(region.left() * s), math.floor(region.top() * s)
        right = min(level.image.width(), math.ceil(region.right() * s))
        bottom = min(level.image.height(), math.ceil(region.bottom() * s))
        source = QRectF(left, top, right - left, bottom - top)
        target = QRectF(left / s, top / s, (right - left) / s, (bottom - top) / s)
        magnified = screen_scale / s >= 2.0
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not magnified)
        painter.drawImage(target, level.image, source)
        painter.restore()
