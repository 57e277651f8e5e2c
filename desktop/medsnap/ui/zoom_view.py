"""The received picture in the message viewer: zoom with the wheel (under the pointer) or
keys (about the middle), pan by dragging, Fit; fitted, it follows the window's size. A tall
page opens fitted to its width, top first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

ZOOM_STEP = 1.25
ZOOM_RANGE = (0.02, 32.0)  # beyond these the picture is a dot or a few pixels
#: a picture at least this much taller than wide (an A4 letter is 1.41, a phone's portrait
#: photo 1.33) opens fitted to the width, top first: fitted whole, a page was unreadable
PAGE_RATIO = 1.38


class ZoomView(QGraphicsView):
    zoom_changed = Signal(float)  # the scale now, 1.0 = one screen pixel per image pixel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAccessibleName("Received image")
        self.pixmap_item: QGraphicsPixmapItem | None = None
        self.fitted = True  # follow the window size until the clinician zooms
        self.page_width = False  # fitted to the width (a tall page), not whole

    def show_pixmap(self, pixmap: QPixmap | None) -> None:
        self.scene().clear()
        self.pixmap_item = None
        if pixmap is not None:
            self.pixmap_item = self.scene().addPixmap(pixmap)
            self.scene().setSceneRect(self.pixmap_item.boundingRect())
            size = pixmap.size()
            self.page_width = size.height() >= PAGE_RATIO * size.width()
            self._refit()

    def fit(self) -> None:
        """The whole picture (Fit, Ctrl+0)."""
        self.page_width = False
        self._refit()

    def _refit(self) -> None:
        self.fitted = True
        if self.pixmap_item is None:
            return
        if not self.page_width:
            self.fitInView(self.pixmap_item, Qt.AspectRatioMode.KeepAspectRatio)
        else:  # the page's width, at most actual size (no blur), its top in view
            box = self.pixmap_item.boundingRect()
            room = self.viewport().width() - self.verticalScrollBar().sizeHint().width() - 2
            whole = min(self.viewport().width() / box.width(),
                        self.viewport().height() / box.height())
            scale = max(whole, min(1.0, room / box.width()))
            self.resetTransform()
            self.scale(scale, scale)
            self.centerOn(box.center().x(), 0)
        self.zoom_changed.emit(self.zoom())

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_step(self, steps: int, under_mouse: bool = False) -> None:
        """Zoom in (steps > 0) or out; keys zoom about the middle, the wheel under it."""
        low, high = ZOOM_RANGE
        target = min(high, max(low, self.zoom() * ZOOM_STEP ** steps))
        self.zoom_to(target, under_mouse)

    def zoom_to(self, scale: float, under_mouse: bool = False) -> None:
        if self.pixmap_item is None or scale <= 0:
            return
        self.fitted = False
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse if under_mouse
                                     else QGraphicsView.ViewportAnchor.AnchorViewCenter)
        factor = scale / self.zoom()
        self.scale(factor, factor)
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.zoom_step(1 if event.angleDelta().y() > 0 else -1, under_mouse=True)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.fitted:
            self._refit()
