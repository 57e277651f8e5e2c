"""Text in the painter: fonts, and where a callout's lines and a marker's digits go.

A clinician's words must reach the colleague whole. A callout placed near the picture's
right edge used to run off it and be cut mid-word in the export ("...please advise wheth").
Now every callout is laid out against the area that is exported (the crop, else the whole
picture): it wraps to the width left from where it was placed, and when that is too narrow
it moves left (and up, if it would run off the bottom) so that all of it is inside. Only
when a callout cannot fit at all at its size is its font made smaller.

The layout is computed here once and the lines are painted exactly as laid out: nothing
re-wraps them at paint time, so the canvas, the preview and the export show the same lines.
Stored callouts are left as they are (a callout without a width still sizes to its text);
the fit is derived at paint time, so a later crop or move is fitted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF, QGuiApplication, QTextLayout, QTextOption

from medsnap.document import Marker, Text, text_padding

FONT_FAMILY = "DejaVu Sans"  # shipped on every supported platform's Qt/fontconfig set-up
#: (left, top, right, bottom) in image pixels: the exported area callouts must stay inside
Area = tuple[float, float, float, float]
#: a callout keeps at least this many font sizes of width (about 25 characters) before it
#: moves left instead of wrapping into a narrow column at the edge
READABLE_WIDTH_EMS = 12.0
_app: QGuiApplication | None = None


def ensure_gui_application() -> None:
    """Fonts need a QGuiApplication; create an offscreen one if the process has none."""
    global _app
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return
    if existing is not None:
        raise RuntimeError("render needs a QGuiApplication, but a QCoreApplication exists")
    _app = QGuiApplication(["medsnap-render", "-platform", "offscreen"])


def font(size: float, *, bold: bool = False) -> QFont:
    ensure_gui_application()
    result = QFont(FONT_FAMILY)
    result.setPixelSize(max(1, round(size)))
    result.setBold(bold)
    return result


def edge_margin(annotation: Text) -> float:
    """How far the border's half width and antialiasing reach outside a callout's box."""
    return _edge_margin(annotation.style.width)


def _edge_margin(border_width: float) -> float:
    return max(1.0, border_width / 2) / 2 + 1.0


@dataclass(frozen=True)
class CalloutLayout:
    """A callout as painted: its box, the font size used and every line at its baseline."""

    box: tuple[float, float, float, float]  # x, y, width, height (outer, with padding)
    font_size: float
    lines: tuple[tuple[str, float, float], ...]  # text, x, baseline y

    @property
    def rect(self) -> QRectF:
        return QRectF(*self.box)


def _wrapped(text: str, size: float, width: float | None) -> tuple[list[str], float]:
    """Each typed line wrapped to ``width`` (None: not wrapped), at word boundaries and
    inside a word only when the word alone is wider; and the widest line's width."""
    lines: list[str] = []
    widest = 0.0
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font(size))
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(1e7 if width is None else width)
            lines.append(paragraph[line.textStart():line.textStart() + line.textLength()])
            widest = max(widest, line.naturalTextWidth())
        layout.endLayout()
        if not paragraph:
            lines.append("")
    return lines, widest


def _longest_word(text: str, size: float) -> float:
    metrics = QFontMetricsF(font(size))
    return max((metrics.horizontalAdvance(word) for word in text.split()), default=0.0)


def _lines(text: str, size: float, pad: float, fixed: bool, width: float,
           natural: tuple[list[str], float]) -> tuple[list[str], float]:
    """The lines in a box ``width`` wide and their inner width."""
    if not fixed and width >= natural[1] + 2 * pad:
        return natural[0], natural[1]  # sized to its text: never re-wrapped
    return _wrapped(text or " ", size, max(width - 2 * pad, 1.0))[0], width - 2 * pad


def _column(x: float, wanted: float, readable: float, left_edge: float,
            right_edge: float) -> tuple[float, float]:
    """The box's left edge and width: from ``x`` to the right edge, at most ``wanted``; when
    that leaves less than ``readable``, moved left to be that wide (never past the edges)."""
    room = max(right_edge - left_edge, 1.0)
    left = min(max(x, left_edge), right_edge)
    width = min(wanted, max(right_edge - left, min(wanted, room, readable)))
    return max(min(left, right_edge - width), left_edge), width


def typing_column(position: tuple[float, float], font_size: float, border_width: float,
                  box_width: float | None, area: Area) -> tuple[float, float]:
    """Where a callout typed at ``position`` will wrap: the left edge and width of its box
    once the text is long (the in-place editor takes the same place and width)."""
    margin = _edge_margin(border_width)
    wanted = float("inf") if box_width is None else box_width
    return _column(position[0], wanted, READABLE_WIDTH_EMS * font_size, area[0] + margin,
                   area[2] - margin)


@lru_cache(maxsize=512)
def _layout(text: str, size: float, box_width: float | None, x: float, y: float,
            area: Area | None, margin: float) -> CalloutLayout:
    pad = text_padding(size)
    natural = _wrapped(text or " ", size, None)
    fixed = box_width is not None
    wanted = natural[1] + 2 * pad if box_width is None else max(box_width, 2 * pad + 1.0)
    metrics = QFontMetricsF(font(size))
    left, top, width = x, y, wanted
    if area is not None:
        left_edge, top_edge = area[0] + margin, area[1] + margin
        right_edge, bottom_edge = area[2] - margin, area[3] - margin
        room = max(right_edge - left_edge, 1.0)
        left, width = _column(x, wanted, max(READABLE_WIDTH_EMS * size,
                                             _longest_word(text, size) + 2 * pad),
                              left_edge, right_edge)
    lines, inner = _lines(text, size, pad, fixed, width, natural)
    height = max(len(lines), 1) * metrics.lineSpacing() + 2 * pad
    if area is not None:
        if height > bottom_edge - top_edge and width < room:  # too tall: use the whole width
            width = min(max(natural[1] + 2 * pad, width), room)
            left = max(min(left, right_edge - width), left_edge)
            lines, inner = _lines(text, size, pad, fixed, width, natural)
            height = max(len(lines), 1) * metrics.lineSpacing() + 2 * pad
        top = max(min(y, bottom_edge - height), top_edge)
    origin_x, first_baseline = left + pad, top + pad + metrics.ascent()
    painted = tuple((line.rstrip(" "), origin_x, first_baseline + i * metrics.lineSpacing())
                    for i, line in enumerate(lines))
    return CalloutLayout((left, top, inner + 2 * pad, height), size, painted)


def callout_layout(annotation: Text, area: Area | None = None) -> CalloutLayout:
    """Where ``annotation``'s box and lines are painted, all of it inside ``area`` (None: as
    placed, unfitted). A callout that does not reach into the area at all is left as placed
    (a crop that leaves it out leaves it out whole)."""
    margin = edge_margin(annotation)
    x, y = annotation.position
    size = annotation.style.font_size
    placed = _layout(annotation.text, size, annotation.box_width, x, y, None, margin)
    if area is None or not _overlaps(placed.box, area):
        return placed
    area = tuple(float(v) for v in area)
    while True:
        fitted = _layout(annotation.text, size, annotation.box_width, x, y, area, margin)
        if fitted.box[3] <= area[3] - area[1] - 2 * margin + 0.01 or size <= 4:
            return fitted
        size = max(4.0, float(round(size * 0.9)))  # too tall for the area even full width


def _overlaps(box: tuple[float, float, float, float], area: Area) -> bool:
    x, y, w, h = box
    return x < area[2] and x + w > area[0] and y < area[3] and y + h > area[1]


def marker_half_size(annotation: Marker) -> tuple[float, float]:
    """Half the width and height a marker's disc and digits cover."""
    metrics = QFontMetricsF(font(annotation.style.font_size, bold=True))
    radius = annotation.radius()
    return (max(radius, metrics.horizontalAdvance(str(annotation.number)) / 2),
            max(radius, metrics.height() / 2))


def marker_centre(annotation: Marker, area: Area | None = None) -> tuple[float, float]:
    """Where a marker's disc is painted: moved in just enough that its number is whole
    inside ``area`` (a "12" half off the edge reads "1"); one entirely outside stays put."""
    x, y = annotation.centre
    if area is None:
        return x, y
    half_w, half_h = marker_half_size(annotation)
    if not _overlaps((x - half_w, y - half_h, 2 * half_w, 2 * half_h), area):
        return x, y
    edge = 1.0  # antialiasing
    return (_clamp(x, area[0] + half_w + edge, area[2] - half_w - edge),
            _clamp(y, area[1] + half_h + edge, area[3] - half_h - edge))


def _clamp(value: float, low: float, high: float) -> float:
    if low > high:  # the area is smaller than the marker: centre it
        return (low + high) / 2
    return min(max(value, low), high)
