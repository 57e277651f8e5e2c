"""The ONE painter: a Document -> pixels, used by the canvas and by the export alike.

QtGui only (no widget module). Everything is painted in image coordinates; ``render`` sets
the crop offset. Redactions are painted last, aliased and opaque, so every pixel they
touch becomes black whatever was there: the output inside a box depends on nothing
inside it.

Callouts and markers are placed by ``render_text`` against the exported area (the crop, else
the picture), so none runs off it: pass ``area`` (``Document.output_box()``) wherever one is
painted or measured; ``paint_document`` does.

Memory: the picture is never converted whole; ``render_strips`` moves the pixels between
Pillow and Qt strip by strip (a grey picture is widened to RGB only where it is painted).
"""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

from medsnap.document import (
    Annotation, Arrow, Document, Ellipse, Highlighter, Line, Marker, Pen, Rectangle,
    Redaction, RedactionBrush, Text, rgba,
)
from medsnap.render_strips import output_mode, qimage_of, source_image, to_pil
from medsnap.render_text import (  # noqa: F401 - FONT_FAMILY, ensure_gui_application: API
    FONT_FAMILY, Area, callout_layout, ensure_gui_application, font, marker_centre,
    marker_half_size, typing_column,
)

TEXT_BACKGROUND = "#FFFFFFE6"  # a near-opaque white box keeps callouts readable anywhere


def qcolor(colour: str) -> QColor:
    r, g, b, a = rgba(colour)
    return QColor(r, g, b, a)


def _point(p: tuple[float, float]) -> QPointF:
    return QPointF(p[0], p[1])


def _path(points) -> QPainterPath:
    """A smooth path through the points (quadratic curves through the midpoints)."""
    path = QPainterPath(_point(points[0]))
    if len(points) == 1:
        path.lineTo(_point(points[0]))
    elif len(points) == 2:
        path.lineTo(_point(points[1]))
    else:
        for current, following in zip(points[1:-1], points[1:]):
            middle = ((current[0] + following[0]) / 2, (current[1] + following[1]) / 2)
            path.quadTo(_point(current), _point(middle))
        path.lineTo(_point(points[-1]))
    return path


def _stroke_pen(colour: str, width: float, cap=Qt.PenCapStyle.RoundCap) -> QPen:
    return QPen(QBrush(qcolor(colour)), width, Qt.PenStyle.SolidLine, cap,
                Qt.PenJoinStyle.RoundJoin)


def text_rect(annotation: Text, area: Area | None = None) -> QRectF:
    """The exact box a text callout paints, in image pixels (for hit-testing too); inside
    ``area`` (the exported area, ``Document.output_box()``) when given."""
    return callout_layout(annotation, area).rect


def _paint_text(painter: QPainter, annotation: Text, area: Area | None) -> None:
    # Lines are painted one by one exactly as laid out: a painter wrapping them again got a
    # hair less width in floating point and cut the last word ("slough - debride?" ->
    # "slough -"); and a callout no longer runs off the exported area ("...advise wheth").
    layout = callout_layout(annotation, area)
    style, pad = annotation.style, annotation.padding()
    border = max(1.0, style.width / 2)
    painter.setPen(QPen(qcolor(style.colour), border))
    painter.setBrush(qcolor(style.fill or TEXT_BACKGROUND))
    painter.drawRoundedRect(layout.rect, pad, pad)
    painter.setFont(font(layout.font_size))
    painter.setPen(qcolor(style.colour))
    for line, x, baseline in layout.lines:
        painter.drawText(QPointF(x, baseline), line)


def _paint_marker(painter: QPainter, annotation: Marker, area: Area | None) -> None:
    r, g, b, _ = rgba(annotation.style.colour)
    radius = annotation.radius()
    centre = _point(marker_centre(annotation, area))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(qcolor(annotation.style.colour))
    painter.drawEllipse(centre, radius, radius)
    light = 0.299 * r + 0.587 * g + 0.114 * b > 150  # dark digits on light discs
    painter.setPen(QColor(0, 0, 0) if light else QColor(255, 255, 255))
    painter.setFont(font(annotation.style.font_size, bold=True))
    painter.drawText(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius),
                     int(Qt.AlignmentFlag.AlignCenter), str(annotation.number))


def _paint_arrow(painter: QPainter, annotation: Arrow) -> None:
    tip, left, right, base = annotation.head()
    painter.setPen(_stroke_pen(annotation.style.colour, annotation.style.width,
                               Qt.PenCapStyle.FlatCap))
    if base != annotation.start:
        painter.drawLine(_point(annotation.start), _point(base))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(qcolor(annotation.style.colour))
    painter.drawPolygon(QPolygonF([_point(tip), _point(left), _point(right)]))


def _paint_box(painter: QPainter, annotation: Rectangle | Ellipse) -> None:
    style = annotation.style
    painter.setPen(QPen(QBrush(qcolor(style.colour)), style.width, Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.SquareCap, Qt.PenJoinStyle.MiterJoin))
    painter.setBrush(qcolor(style.fill) if style.fill else Qt.BrushStyle.NoBrush)
    rect = QRectF(annotation.rect.x, annotation.rect.y, annotation.rect.width,
                  annotation.rect.height)
    if isinstance(annotation, Ellipse):
        painter.drawEllipse(rect)
    else:
        painter.drawRect(rect)


def _paint_redaction(painter: QPainter, annotation: Redaction | RedactionBrush) -> None:
    # Aliased and Source mode: a touched pixel becomes exactly opaque black, no blending
    # with what was underneath.
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    black = QColor(0, 0, 0, 255)
    if isinstance(annotation, Redaction):
        left, top, right, bottom = annotation.rect.pixel_box()
        if right > left and bottom > top:
            painter.fillRect(QRect(left, top, right - left, bottom - top), black)
        return
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(_stroke_pen("#000000", annotation.width + 1.0))  # +1: no grey fringe
    painter.drawPath(_path(annotation.points))


def paint_annotation(painter: QPainter, annotation: Annotation,
                     area: Area | None = None) -> None:
    """Paint one annotation in image coordinates; the painter's state is left unchanged.
    Callouts and markers are kept whole inside ``area`` (the exported area) when given."""
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        style = annotation.style
        if isinstance(annotation, (Redaction, RedactionBrush)):
            _paint_redaction(painter, annotation)
        elif isinstance(annotation, Arrow):
            _paint_arrow(painter, annotation)
        elif isinstance(annotation, Line):
            painter.setPen(_stroke_pen(style.colour, style.width))
            painter.drawLine(_point(annotation.start), _point(annotation.end))
        elif isinstance(annotation, (Rectangle, Ellipse)):
            _paint_box(painter, annotation)
        elif isinstance(annotation, Highlighter):
            # Multiply darkens like ink on paper: dark text under it stays dark.
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
            painter.setPen(_stroke_pen(style.colour, style.width, Qt.PenCapStyle.FlatCap))
            painter.drawPath(_path(annotation.points))
        elif isinstance(annotation, Pen):
            painter.setPen(_stroke_pen(style.colour, style.width))
            painter.drawPath(_path(annotation.points))
        elif isinstance(annotation, Text):
            _paint_text(painter, annotation, area)
        elif isinstance(annotation, Marker):
            _paint_marker(painter, annotation, area)
        else:
            raise TypeError(f"no painter for annotation kind {annotation.kind!r}")
    finally:
        painter.restore()


def paint_document(painter: QPainter, document: Document, *,
                   include_redactions: bool = True) -> None:
    """Paint every annotation in stack order, then every redaction (always on top)."""
    area = document.output_box()
    for annotation in document.drawings():
        paint_annotation(painter, annotation, area)
    if include_redactions:
        for annotation in document.redactions():
            paint_annotation(painter, annotation, area)


def paint_bounds(annotation: Annotation, area: Area | None = None) -> QRectF:
    """A box holding every pixel the annotation can touch (antialiasing, joins, digits)."""
    if isinstance(annotation, Text):
        return text_rect(annotation, area).adjusted(-3, -3, 3, 3).adjusted(
            *(v * annotation.style.width / 2 for v in (-1, -1, 1, 1)))
    if isinstance(annotation, Marker):
        half_w, half_h = marker_half_size(annotation)
        x, y = marker_centre(annotation, area)
        return QRectF(x - half_w - 2, y - half_h - 2, 2 * half_w + 4, 2 * half_h + 4)
    bounds = annotation.bounds()
    margin = (annotation.width if isinstance(annotation, RedactionBrush)
              else annotation.style.width) + 2.0  # miter corners reach width/2 * sqrt(2)
    return QRectF(bounds.x - margin, bounds.y - margin, bounds.width + 2 * margin,
                  bounds.height + 2 * margin)


def _dirty_boxes(document: Document) -> list[tuple[int, int, int, int]]:
    """Disjoint pixel boxes, relative to the output area, that annotations can touch."""
    left, top, right, bottom = document.output_box()
    boxes = []
    for annotation in document.annotations:
        r = paint_bounds(annotation, document.output_box())
        box = (max(int(r.left()) - 1, left) - left, max(int(r.top()) - 1, top) - top,
               min(int(r.right()) + 2, right) - left, min(int(r.bottom()) + 2, bottom) - top)
        if box[2] > box[0] and box[3] > box[1]:
            boxes.append(box)
    merged = True
    while merged:  # merge overlapping boxes until all are disjoint
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]),
                                max(a[3], b[3]))
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def _paint_onto(image: QImage, document: Document, origin: tuple[int, int]) -> None:
    painter = QPainter(image)
    try:
        painter.translate(-origin[0], -origin[1])
        paint_document(painter, document)
    finally:
        painter.end()


def render(document: Document) -> QImage:
    """The output area (crop or whole picture) at full resolution with everything painted."""
    ensure_gui_application()
    box = document.output_box()
    image = qimage_of(source_image(document, output_mode(document)), box)
    _paint_onto(image, document, box[:2])
    return image


def render_to_pil(document: Document, *, tile_share: float = 0.35) -> Image.Image:
    """Like ``render``, as a Pillow image ("RGB", or "RGBA" for pictures with alpha; a grey
    picture with nothing painted on the output stays "L").

    When annotations cover less than ``tile_share`` of the output, only the boxes they can
    touch go through Qt; the rest is a plain Pillow crop (one copy instead of three).
    """
    ensure_gui_application()
    mode = output_mode(document)
    source = source_image(document, mode)
    left, top, right, bottom = document.output_box()
    boxes = _dirty_boxes(document)
    dirty = sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes)
    if dirty > tile_share * (right - left) * (bottom - top):
        image = qimage_of(source, (left, top, right, bottom))
        _paint_onto(image, document, (left, top))
        return to_pil(image, mode)
    result = source.crop((left, top, right, bottom))
    if boxes and result.mode != mode:  # grey, with colour about to be painted on it
        result = result.convert(mode)
    for box in boxes:
        tile = qimage_of(result, box)
        _paint_onto(tile, document, (left + box[0], top + box[1]))
        result.paste(to_pil(tile, mode), box[:2])
    return result
