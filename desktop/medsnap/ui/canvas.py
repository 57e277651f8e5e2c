"""The canvas: paints the picture and its annotations, turns input into tool events.

The picture comes from a level-of-detail pyramid (only the exposed part of one level is
drawn); the annotations are painted by ``render.paint_annotation`` — the same function the
export uses — so what is seen is what is sent. Zoom and pan live in a widget-free Viewport.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QAbstractScrollArea, QWidget
from typing import TYPE_CHECKING, Callable

from medsnap.ui import canvas_overlay as overlay
from medsnap.ui.canvas_input import CanvasInput
from medsnap.ui.first_frame import after_first_frame
from medsnap.ui.qt_enums import Qt
from medsnap.ui.viewport import Viewport

if TYPE_CHECKING:  # Pillow, the painter and the document model load with the first picture
    from medsnap.document.annotations import Annotation
    from medsnap.document.edits import Edit
    from medsnap.document.geometry import Rect
    from medsnap.document.model import Document
    from medsnap.document.tools import Tool
    from medsnap.ui.pyramid import Pyramid

BACKGROUND = QColor("#2B3036")


def _tools():
    """The tool state machines, loaded on first use (after the first paint), not at start-up."""
    import medsnap.document.tools as tools

    return tools


def measure(annotation: Annotation, area: tuple[float, float, float, float] | None = None
            ) -> Rect:
    """What an annotation covers, with text and markers placed by the painter itself (kept
    inside ``area``, the exported area, as the painter keeps them)."""
    from medsnap.document.annotations import Marker, Text
    from medsnap.document.geometry import Rect

    if isinstance(annotation, Text):
        from medsnap import render

        box = render.text_rect(annotation, area)
        return Rect(box.x(), box.y(), box.width(), box.height())
    if isinstance(annotation, Marker) and area is not None:
        from medsnap import render

        (x, y), radius = render.marker_centre(annotation, area), annotation.radius()
        return Rect(x - radius, y - radius, 2 * radius, 2 * radius)
    return annotation.bounds()


def measure_in(document: Document) -> Callable[[Annotation], Rect]:
    """``measure`` against the document's exported area as it is at each call (a crop
    changes it), for the tools' hit-testing."""
    return lambda annotation: measure(annotation, document.output_box())


class Canvas(QAbstractScrollArea):
    edit_ready = Signal(object)  # an Edit produced by the active tool
    zoom_changed = Signal(float)
    pointer_moved = Signal(float, float)  # image pixels, over the picture
    pointer_off_picture = Signal()  # over the margin around it: no position to show
    text_requested = Signal(object)  # a TextRequest: show the in-place editor
    selection_changed = Signal()
    placed_by_keys = Signal(str)  # an annotation drawn from the keyboard (its id): select it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # a viewport made here, not Qt's own: handed a widget it did not make, PySide6 loads
        # every QtWidgets class to find its type (~12 ms at start-up)
        self.setViewport(QWidget(self))
        self.input: CanvasInput | None = None  # set below; events may arrive before
        self.setAccessibleName("Picture")
        self.setAccessibleDescription("The record image and its annotations")
        # keyboard focus by click and Tab: a scroll area's own focus policy (StrongFocus)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        # Qt fills the dark background, and a painter on the viewport starts with the hint's
        # colour as its pen: a style sheet, since the app's own sheet overrides palettes
        self.viewport().setObjectName("canvasViewport")
        self.viewport().setStyleSheet(f"#canvasViewport {{ background-color: {BACKGROUND.name()};"
                                      f" color: {overlay.HINT_COLOUR.name()}; }}")
        self.view = Viewport()
        self.document: Document | None = None
        self.pyramid: Pyramid | None = None
        self.sent_preview: Pyramid | None = None  # "preview as sent": exported pixels
        self.tool: Tool | None = None
        self.busy_text = ""
        self.paints = 0  # repaint counter, for tests and the benchmark
        self.picture_painted_at: float | None = None  # perf_counter of a new picture's 1st paint
        self.draft_painted_at: float | None = None  # ... and of the last draft's
        self._syncing = False
        self.input = CanvasInput(self)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self._pinch_grabbed = False  # pinch zoom: set up after the first paint (qt_enums)

    # -- content -----------------------------------------------------------------------
    def set_picture(self, pyramid: Pyramid | None, refit: bool = True) -> None:
        if pyramid is not self.pyramid:
            self.picture_painted_at = None
        self.pyramid = pyramid
        if pyramid is not None:
            self._sync_size()
            self._update_bounds(refit=refit)
        self.refresh()

    def set_document(self, document: Document | None) -> None:
        self.document = document
        self.sent_preview = None
        self._update_bounds(refit=True)
        self.refresh()

    def set_tool(self, tool: Tool | None) -> None:
        if self.tool is not None:
            self.tool.cancel()
        self.tool = tool
        self.input.tool_changed()
        self._update_bounds(refit=False)
        self.refresh()

    def set_sent_preview(self, pyramid: Pyramid | None) -> None:
        self.sent_preview = pyramid
        self.refresh()

    def document_changed(self) -> None:
        """Re-read the document after an edit (it emits no signals)."""
        self._update_bounds(refit=False)
        self.refresh()

    def refresh(self) -> None:
        self._update_scrollbars()
        self.viewport().update()

    # -- zoom --------------------------------------------------------------------------
    @property
    def scale(self) -> float:
        return self.view.scale

    def zoom_to(self, scale: float, anchor: QPointF | None = None) -> None:
        self.view.zoom_to(scale, None if anchor is None else (anchor.x(), anchor.y()))
        self._zoomed()

    def zoom_step(self, direction: int, anchor: QPointF | None = None) -> None:
        self.view.step(direction, None if anchor is None else (anchor.x(), anchor.y()))
        self._zoomed()

    def zoom_fit(self) -> None:
        self.view.fit()
        self._zoomed()

    def _zoomed(self) -> None:
        self.refresh()
        self.zoom_changed.emit(self.view.scale)

    def to_image(self, point: QPointF) -> tuple[float, float]:
        return self.view.to_image(point.x(), point.y())

    def to_view(self, x: float, y: float) -> QPointF:
        return QPointF(*self.view.to_view(x, y))

    def on_picture(self, x: float, y: float) -> bool:
        """Whether image pixel (x, y) is on the picture, not the margin around it."""
        width, height = self._full_size()
        return self.pyramid is not None and 0 <= x < width and 0 <= y < height

    # -- geometry bookkeeping ----------------------------------------------------------
    def _full_size(self) -> tuple[float, float]:
        if self.document is not None:
            return self.document.size
        if self.pyramid is not None:
            return (self.pyramid.full_width, self.pyramid.full_height)
        return (1.0, 1.0)

    def _update_bounds(self, refit: bool) -> None:
        width, height = self._full_size()
        x = y = 0.0
        crop = self.document.crop if self.document is not None else None
        if crop is not None and not isinstance(self.tool, _tools().CropTool):
            x, y, width, height = crop.x, crop.y, crop.width, crop.height
        bounds = (x, y, float(width), float(height))
        current = (self.view.image_x, self.view.image_y, self.view.image_width,
                   self.view.image_height)
        if bounds != current or refit:  # a new picture, crop or crop tool: show it all
            self.view.set_bounds(*bounds, refit=True)
            self.zoom_changed.emit(self.view.scale)

    def _sync_size(self) -> None:
        size = self.viewport().size()
        self.view.resize_view(size.width(), size.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        scale = self.view.scale
        super().resizeEvent(event)
        self._sync_size()
        self._update_scrollbars()
        if self.view.scale != scale:  # a fitted picture was fitted again: say its new zoom
            self.zoom_changed.emit(self.view.scale)

    def _update_scrollbars(self) -> None:
        self._syncing = True
        try:
            for bar, content, view, pos in (
                (self.horizontalScrollBar(), self.view.content_width, self.view.view_width,
                 self.view.scroll_position[0]),
                (self.verticalScrollBar(), self.view.content_height, self.view.view_height,
                 self.view.scroll_position[1]),
            ):
                bar.setRange(0, max(0, round(content - view)))
                bar.setPageStep(max(1, round(view)))
                bar.setSingleStep(max(1, round(view / 20)))
                bar.setValue(max(0, round(pos)))
        finally:
            self._syncing = False

    def _scrolled(self) -> None:
        if self._syncing:
            return
        x, y = self.view.scroll_position
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        self.view.scroll_to(h.value() if h.maximum() > 0 else x, v.value() if v.maximum() > 0 else y)
        self.viewport().update()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - handled in _scrolled
        pass

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.paints += 1
        painter = QPainter(self.viewport())  # on the BACKGROUND Qt has filled in
        exposed = QRectF(event.rect())
        v = self.view
        content = QRectF(v.origin_x, v.origin_y, v.content_width, v.content_height)
        painter.save()
        painter.setClipRect(content.intersected(exposed))
        painter.translate(v.origin_x, v.origin_y)
        painter.scale(v.scale, v.scale)
        painter.translate(-v.image_x, -v.image_y)
        top_left = self.to_image(exposed.topLeft())
        bottom_right = self.to_image(exposed.bottomRight())
        exposed_image = QRectF(QPointF(*top_left), QPointF(*bottom_right)).adjusted(-1, -1, 1, 1)
        if self.sent_preview is not None and self.document is not None:
            self._paint_sent(painter, exposed_image)
        else:
            if self.pyramid is not None:
                self.pyramid.draw(painter, exposed_image, v.scale)
            if self.document is not None:
                self._paint_annotations(painter, exposed_image)
        painter.restore()
        self._paint_overlay(painter)
        if self.pyramid is None and not self.busy_text:
            overlay.draw_empty_hint(painter, self.viewport().rect())
        if self.busy_text:
            overlay.draw_loading_badge(painter, self.busy_text, self.viewport().width())
        painter.end()
        if not self._pinch_grabbed:
            self._pinch_grabbed = True
            after_first_frame(self, self._grab_pinch)
        if self.pyramid is not None and self.picture_painted_at is None:
            self.picture_painted_at = time.perf_counter()
            if self.pyramid.is_draft:
                self.draft_painted_at = self.picture_painted_at

    def _grab_pinch(self) -> None:
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)

    def _paint_sent(self, painter: QPainter, exposed: QRectF) -> None:
        assert self.sent_preview is not None and self.document is not None
        left, top, _, _ = self.document.output_box()
        painter.translate(left, top)
        self.sent_preview.draw(painter, exposed.translated(-left, -top), self.view.scale)

    def _paint_annotations(self, painter: QPainter, exposed: QRectF) -> None:
        assert self.document is not None
        from medsnap import render

        area = self.document.output_box()
        hidden = self.tool.hidden_ids() if isinstance(self.tool, _tools().SelectTool) else set()
        preview = self.tool.preview() if self.tool is not None else None
        drawings = [a for a in self.document.drawings() if a.id not in hidden]
        redactions = [a for a in self.document.redactions() if a.id not in hidden]
        if preview is not None:
            (redactions if preview.redacts else drawings).append(preview)
        for annotation in drawings + redactions:  # redactions last, as in the export
            box = measure(annotation, area)
            if box.right < exposed.left() - 50 or box.x > exposed.right() + 50:
                continue
            if box.bottom < exposed.top() - 50 or box.y > exposed.bottom() + 50:
                continue
            render.paint_annotation(painter, annotation, area)

    def _paint_overlay(self, painter: QPainter) -> None:
        if self.document is None or self.sent_preview is not None:
            return
        to_view = self.view.to_view
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        redactions = self.document.redactions()
        if redactions:
            overlay.draw_redaction_edges(painter, redactions, to_view, self.view.scale)
        tools = _tools()
        if isinstance(self.tool, tools.CropTool):
            overlay.draw_crop(painter, self.document.image_rect, self.tool.shown_crop(), to_view)
        elif isinstance(self.tool, tools.SelectTool):
            shown = self.tool.shown_selection()
            if shown is not None:
                measured = measure_in(self.document)
                overlay.draw_selection(painter, measured(shown),
                                       tools.handles.handle_points(shown, measured), to_view)

    # -- input -------------------------------------------------------------------------
    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if self.input is not None and self.input.handle(event):
            return True
        return super().viewportEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.input is None or not self.input.key_press(event):
            super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt override
        if self.input is not None and self.input.tab(backwards=not next):
            return True
        return super().focusNextPrevChild(next)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.input is None or not self.input.key_release(event):
            super().keyReleaseEvent(event)

    def emit_edit(self, edit: Edit | None) -> None:
        if edit is not None:
            self.edit_ready.emit(edit)
