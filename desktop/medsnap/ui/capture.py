"""Capture a screen region: the editor hides, every monitor shows a dimmed still of itself,
the clinician drags a rectangle (Esc cancels) and the region opens in the editor.

One frameless overlay per QScreen, each showing that screen's own grab
(``QScreen.grabWindow(0)``, in device pixels); the logical-to-device mapping per screen lives
in ``capture_geometry`` so 125/150/200% scaling and mixed monitors cut the right pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPen, QPixmap, QScreen
from PySide6.QtWidgets import QWidget

from medsnap.ui.capture_geometry import Box, ScreenInfo, drag_rect, to_device
from medsnap.ui.image_sources import qimage_to_png

if TYPE_CHECKING:
    from medsnap.ui.main_window import MainWindow

#: time for the compositor to take the hidden editor off the screen before grabbing
HIDE_DELAY_MS = 250
HINT = "Drag over the part of the screen to capture  ·  Esc cancels"


def screen_info(screen: QScreen) -> ScreenInfo:
    g = screen.geometry()
    return ScreenInfo(g.x(), g.y(), g.width(), g.height(), screen.devicePixelRatio())


class CaptureOverlay(QWidget):
    chosen = Signal(object, object)  # the overlay, (x, y, w, h) in its local logical pixels
    cancelled = Signal()

    def __init__(self, screen: QScreen, grab: QPixmap) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.info = screen_info(screen)
        self.grab = grab
        self.setAccessibleName("Screen capture")
        self.setAccessibleDescription(HINT)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self._start: QPointF | None = None
        self._end: QPointF | None = None

    def selection(self) -> tuple[float, float, float, float] | None:
        if self._start is None or self._end is None:
            return None
        return drag_rect((self._start.x(), self._start.y()), (self._end.x(), self._end.y()),
                         self.info)

    def device_box(self) -> Box | None:
        rect = self.selection()
        if rect is None:
            return None
        return to_device(rect, self.info, (self.grab.width(), self.grab.height()))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        whole = QRectF(self.rect())
        painter.drawPixmap(whole, self.grab, QRectF(self.grab.rect()))
        painter.fillRect(whole, QColor(10, 14, 18, 120))
        rect = self.selection()
        if rect is not None and rect[2] > 0 and rect[3] > 0:
            chosen = QRectF(*rect)
            scale = self.grab.width() / max(1, self.width())
            painter.drawPixmap(chosen, self.grab, QRectF(chosen.x() * scale, chosen.y() * scale,
                                                         chosen.width() * scale,
                                                         chosen.height() * scale))
            painter.setPen(QPen(QColor("#4FC3F7"), 2))
            painter.drawRect(chosen)
            box = self.device_box()
            if box is not None:
                self._label(painter, f"{box.width} × {box.height}", chosen.bottomLeft()
                            + QPointF(0, 6))
        else:
            self._label(painter, HINT, QPointF(whole.center().x() - 180, 24))
        painter.end()

    def _label(self, painter: QPainter, text: str, at: QPointF) -> None:
        metrics = painter.fontMetrics()
        box = QRectF(at, metrics.boundingRect(text).size().toSizeF()).adjusted(0, 0, 16, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 24, 28, 220))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = self._end = event.position()
            self.update()
        elif event.button() == Qt.MouseButton.RightButton:
            self.cancelled.emit()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._start is not None:
            self._end = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton or self._start is None:
            return
        self._end = event.position()
        box = self.device_box()
        if box is None or box.width < 3 or box.height < 3:  # a click: keep waiting
            self._start = self._end = None
            self.update()
            return
        self.chosen.emit(self, self.selection())

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()


class RegionCapture(QObject):
    """One capture session; ``captured`` carries PNG bytes, or None if cancelled."""

    captured = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.overlays: list[CaptureOverlay] = []

    @classmethod
    def start(cls, window: MainWindow, delay_ms: int = HIDE_DELAY_MS) -> RegionCapture:
        session = cls(window)
        window.hide()
        QTimer.singleShot(delay_ms, session._show_overlays)
        return session

    def _show_overlays(self) -> None:
        for screen in QGuiApplication.screens():
            overlay = CaptureOverlay(screen, screen.grabWindow(0))
            overlay.chosen.connect(self._chosen)
            overlay.cancelled.connect(lambda: self._finish(None))
            self.overlays.append(overlay)
            overlay.show()
            overlay.raise_()
        if self.overlays:
            self.overlays[0].activateWindow()
            self.overlays[0].setFocus()

    def _chosen(self, overlay: CaptureOverlay, _rect) -> None:
        box = overlay.device_box()
        if box is None or box.empty:
            self._finish(None)
            return
        image = overlay.grab.toImage().copy(QRect(box.left, box.top, box.width, box.height))
        self._finish(qimage_to_png(image))

    def _finish(self, png: bytes | None) -> None:
        for overlay in self.overlays:
            overlay.close()
            overlay.deleteLater()
        self.overlays = []
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.captured.emit(png)
        if png is not None:
            self.window.open_bytes(png, "Screen capture")
        self.deleteLater()
