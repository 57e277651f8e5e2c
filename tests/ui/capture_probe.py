"""Run inside a real X server by test_capture_xvfb.py (not a test itself).

Shows a window with four coloured quadrants at a known place, starts a region capture from
the real editor window, drags over part of the pattern on the overlay with real mouse
events, and prints what the editor received as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

PATTERN_AT, PATTERN_SIZE = QPoint(100, 100), (400, 300)  # logical pixels
QUADRANTS = ((255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0))  # TL TR BL BR


class Pattern(QWidget):
    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        self.setGeometry(PATTERN_AT.x(), PATTERN_AT.y(), *PATTERN_SIZE)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        w, h = self.width() // 2, self.height() // 2
        for index, (x, y) in enumerate(((0, 0), (w, 0), (0, h), (w, h))):
            painter.fillRect(x, y, w, h, QColor(*QUADRANTS[index]))
        painter.end()


def wait_until(app: QApplication, condition, timeout_ms: int = 10000) -> bool:
    waited = 0
    while not condition() and waited < timeout_ms:
        app.processEvents()
        QTest.qWait(20)
        waited += 20
    return condition()


def drag_over(overlay, start: QPoint, end: QPoint) -> None:
    """Drag the left button across a capture overlay between two global points."""
    local_start, local_end = overlay.mapFromGlobal(start), overlay.mapFromGlobal(end)
    QTest.mousePress(overlay, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     local_start)
    QTest.mouseMove(overlay, (local_start + local_end) / 2)
    QTest.mouseMove(overlay, local_end)
    QTest.mouseRelease(overlay, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       local_end)


def main() -> int:
    mode = sys.argv[1]  # "select" or "cancel"
    start, end = (QPoint(*map(int, sys.argv[2].split(","))), QPoint(*map(int, sys.argv[3].split(","))))
    app = QApplication([sys.argv[0]])
    from medsnap.ui.capture import RegionCapture
    from medsnap.ui.main_window import MainWindow

    pattern = Pattern()
    pattern.show()
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.setGeometry(700, 80, 500, 400)
    window.show()
    wait_until(app, lambda: pattern.isVisible() and window.isVisible())
    QTest.qWait(300)
    results: dict = {"screens": [
        {"geometry": [s.geometry().x(), s.geometry().y(), s.geometry().width(),
                      s.geometry().height()], "dpr": s.devicePixelRatio()}
        for s in QGuiApplication.screens()]}
    session = RegionCapture.start(window, delay_ms=200)
    results["editor_hidden"] = wait_until(app, lambda: not window.isVisible(), 3000)
    wait_until(app, lambda: bool(session.overlays) and all(o.isVisible() for o in session.overlays))
    QTest.qWait(200)
    overlay = next(o for o in session.overlays if o.geometry().contains(start))
    results["overlays"] = len(session.overlays)
    if mode == "cancel":
        QTest.keyClick(overlay, Qt.Key.Key_Escape)
        wait_until(app, window.isVisible, 3000)
        results["editor_visible"] = window.isVisible()
        results["document"] = window.document is not None
        results["overlays_left"] = sum(1 for w in QApplication.topLevelWidgets()
                                       if w.isVisible() and w.accessibleName() == "Screen capture")
    else:
        drag_over(overlay, start, end)
        loaded = wait_until(app, lambda: window.document is not None)
        results["loaded"] = loaded
        results["editor_visible"] = window.isVisible()
        if loaded:
            image = window.document.picture.image.convert("RGB")
            results["size"] = list(image.size)
            results["pixels"] = {f"{x},{y}": list(image.getpixel((x, y)))
                                 for x in range(image.width) for y in (image.height // 4,
                                                                      3 * image.height // 4)}
    print("RESULT " + json.dumps(results))
    window.close()
    pattern.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
