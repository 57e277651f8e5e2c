"""What the canvas draws on top of the document in screen pixels: selection, handles, crop.

These marks are never exported; they are drawn with cosmetic pens so they stay crisp and the
same size at every zoom level.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from typing import TYPE_CHECKING

from medsnap.ui.qt_enums import Qt

if TYPE_CHECKING:  # the document model loads with the first picture, not at start-up
    from medsnap.document.geometry import Point, Rect

ACCENT = QColor("#1F6F8B")
DIM = QColor(20, 24, 28, 150)

ToView = Callable[[float, float], tuple[float, float]]


def _view_rect(rect: Rect, to_view: ToView) -> QRectF:
    x0, y0 = to_view(rect.x, rect.y)
    x1, y1 = to_view(rect.right, rect.bottom)
    return QRectF(QPointF(x0, y0), QPointF(x1, y1)).normalized()


def draw_handles(painter: QPainter, points: dict[str, Point], to_view: ToView) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(ACCENT, 1.5))
    painter.setBrush(QColor("white"))
    from medsnap.document.tools.handles import HANDLE_SCREEN_RADIUS

    r = HANDLE_SCREEN_RADIUS - 1
    for x, y in points.values():
        vx, vy = to_view(x, y)
        painter.drawRect(QRectF(vx - r, vy - r, 2 * r, 2 * r))
    painter.restore()


def draw_selection(painter: QPainter, bounds: Rect, handles: dict[str, Point],
                   to_view: ToView) -> None:
    painter.save()
    outline = _view_rect(bounds, to_view).adjusted(-3, -3, 3, 3)
    pen = QPen(ACCENT, 1.0, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(outline)
    painter.restore()
    draw_handles(painter, handles, to_view)


def draw_redaction_edges(painter: QPainter, redactions, to_view: ToView, scale: float) -> None:
    """A thin dark-and-light dashed edge round every redaction, on screen only: a black box
    on a black radiograph or ultrasound was invisible once drawn (NU5), so nobody could see
    whether it covered the burned-in name. Never exported (the overlay is not)."""
    from PySide6.QtGui import QPainterPath, QPainterPathStroker  # with the first redaction

    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for redaction in redactions:
        box = hasattr(redaction, "rect")
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not box)  # a box: crisp
        if box:
            edge = QPainterPath()
            edge.addRect(_view_rect(redaction.rect, to_view).toRect().adjusted(-2, -2, 1, 1))
        else:  # a brush stroke: the outline of the band it paints
            stroke = QPainterPath()
            points = [QPointF(*to_view(x, y)) for x, y in redaction.points]
            stroke.moveTo(points[0])
            for point in points[1:]:
                stroke.lineTo(point)
            stroker = QPainterPathStroker()
            stroker.setWidth((redaction.width + 1.0) * scale + 2)
            stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
            stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            edge = stroker.createStroke(stroke).simplified()
        for colour, offset in ((QColor(20, 24, 28), 0), (QColor(235, 238, 240), 3)):
            pen = QPen(colour, 1.0, Qt.PenStyle.CustomDashLine)
            pen.setDashPattern([3, 3])
            pen.setDashOffset(offset)
            painter.setPen(pen)
            painter.drawPath(edge)
    painter.restore()


def draw_crop(painter: QPainter, image: Rect, crop: Rect | None, to_view: ToView) -> None:
    """Dim what the crop leaves out and outline the crop with its handles."""
    if crop is None:
        return
    whole = _view_rect(image, to_view)
    kept = _view_rect(crop, to_view)
    from PySide6.QtGui import QPainterPath  # the crop tool's: not in the first frame

    outside = QPainterPath()
    outside.addRect(whole)
    inner = QPainterPath()
    inner.addRect(kept)
    painter.save()
    painter.fillPath(outside.subtracted(inner), DIM)
    painter.setPen(QPen(QColor("white"), 1.0))
    painter.drawRect(kept)
    # rule-of-thirds guides help framing a photograph
    painter.setPen(QPen(QColor(255, 255, 255, 90), 1.0))
    for i in (1, 2):
        x = kept.left() + kept.width() * i / 3
        y = kept.top() + kept.height() * i / 3
        painter.drawLine(QPointF(x, kept.top()), QPointF(x, kept.bottom()))
        painter.drawLine(QPointF(kept.left(), y), QPointF(kept.right(), y))
    painter.restore()
    from medsnap.document.tools.handles import box_handle_points

    draw_handles(painter, box_handle_points(crop), to_view)


def draw_loading_badge(painter: QPainter, text: str, width: int) -> None:
    painter.save()
    metrics = painter.fontMetrics()
    box = QRectF(0, 0, metrics.horizontalAdvance(text) + 24, metrics.height() + 12)
    box.moveTopRight(QPointF(width - 12, 12))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(20, 24, 28, 200))
    painter.drawRoundedRect(box, 6, 6)
    painter.setPen(QColor("white"))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


EMPTY_HINT = ("Open a record image to begin\n\n"
              "File › Open (Ctrl+O), drop a file here, paste an image (Ctrl+V)\n"
              "or capture part of the screen (Ctrl+Shift+C)")


#: the empty canvas's hint is the first frame's only drawing: it uses the viewport's text
#: colour (a widget's painter starts with it as its pen) and the alignment by value, because
#: setPen(QColor) or Qt.AlignmentFlag would set up all of Qt's enums first (see qt_enums)
HINT_COLOUR = QColor("#C9D1D9")
_ALIGN_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter


def draw_empty_hint(painter: QPainter, area) -> None:
    """The hint in the painter's current pen (the canvas viewport's HINT_COLOUR)."""
    painter.save()
    font = painter.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    painter.setFont(font)
    painter.drawText(area, _ALIGN_CENTER, EMPTY_HINT)
    painter.restore()
