"""Run inside a two-monitor X server by test_capture_monitors.py (not a test itself).

Covers every monitor with a full-screen window whose pixels encode their own position on the
X root window (so any shift, scale or monitor mix-up in a capture shows), then runs one real
region capture per drag given on the command line (X root pixels "x0,y0:x1,y1"),
saving each captured PNG as OUT_DIR/capture-N.png and printing what Qt and the editor saw.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QScreen
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from capture_probe import drag_over, wait_until  # beside this file: the one-monitor probe


def root_pattern_row(native_x: int, width: int, root_y: int) -> bytes:
    """One row of the pattern in QImage.Format_RGB32 (B, G, R, 255 per pixel).

    Root pixel (X, Y) is red X % 256, green Y % 256, blue (X // 256) * 16 + Y // 256; the test
    computes the same colours on its own to check the captures.
    """
    row = bytearray(width * 4)
    xs = range(native_x, native_x + width)
    row[0::4] = bytes((x // 256) * 16 + root_y // 256 for x in xs)
    row[1::4] = bytes([root_y % 256]) * width
    row[2::4] = bytes(x % 256 for x in xs)
    row[3::4] = b"\xff" * width
    return bytes(row)


class ScreenPattern(QWidget):
    """Frameless window over one whole monitor, painted one image pixel per device pixel."""

    def __init__(self, screen: QScreen) -> None:
        super().__init__(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.Window)
        native = screen.grabWindow(0)  # its size is the monitor's size in device pixels
        # on xcb a screen's top-left stays in device pixels (Qt scales about each origin)
        origin = screen.geometry().topLeft()
        width, height = native.width(), native.height()
        data = b"".join(root_pattern_row(origin.x(), width, origin.y() + y)
                        for y in range(height))
        self._bytes = data  # QImage borrows the buffer
        self.image = QImage(data, width, height, width * 4, QImage.Format.Format_RGB32)
        self.image.setDevicePixelRatio(screen.devicePixelRatio())
        self.setScreen(screen)
        self.setGeometry(screen.geometry())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.end()


def global_point(text: str) -> QPoint:
    """A point given in X root (device) pixels, as Qt's global logical point.

    A pointer on a scaled monitor is at origin + (device - origin) / ratio in Qt's global
    coordinates; the tests choose points where that is a whole number.
    """
    x, y = (int(part) for part in text.split(","))
    for screen in QGuiApplication.screens():
        origin, ratio = screen.geometry().topLeft(), screen.devicePixelRatio()
        size = screen.geometry().size() * ratio
        if origin.x() <= x < origin.x() + size.width() and \
                origin.y() <= y < origin.y() + size.height():
            return QPoint(round(origin.x() + (x - origin.x()) / ratio),
                          round(origin.y() + (y - origin.y()) / ratio))
    raise SystemExit(f"no monitor holds the root pixel {text}")


def capture(app: QApplication, window, start: QPoint, end: QPoint, out_path: str) -> dict:
    from medsnap.ui.capture import RegionCapture

    got: list[bytes | None] = []
    before = window.document
    session = RegionCapture.start(window, delay_ms=200)
    session.captured.connect(got.append)
    result: dict = {"editor_hidden": wait_until(app, lambda: not window.isVisible(), 3000)}
    wait_until(app, lambda: bool(session.overlays)
               and all(o.isVisible() for o in session.overlays))
    QTest.qWait(150)
    result["overlays"] = [[o.geometry().x(), o.geometry().y(), o.geometry().width(),
                           o.geometry().height()] for o in session.overlays]
    overlay = next(o for o in session.overlays if o.geometry().contains(start))
    drag_over(overlay, start, end)
    result["captured"] = wait_until(app, lambda: bool(got)) and got[0] is not None
    result["loaded"] = wait_until(app, lambda: window.document is not before
                                  and window.isVisible())
    if result["captured"]:
        with open(out_path, "wb") as file:
            file.write(got[0])
    if result["loaded"]:
        result["document_size"] = list(window.document.picture.image.size)
    return result


def main() -> int:
    out_dir, drags = sys.argv[1], sys.argv[2:]
    app = QApplication([sys.argv[0]])
    from medsnap.ui.main_window import MainWindow

    patterns = [ScreenPattern(screen) for screen in QGuiApplication.screens()]
    for pattern in patterns:
        pattern.show()
    settings = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.setGeometry(40, 40, 500, 400)
    window.show()
    wait_until(app, lambda: window.isVisible() and all(p.isVisible() for p in patterns))
    QTest.qWait(300)
    results: dict = {"screens": [
        {"name": s.name(), "geometry": [s.geometry().x(), s.geometry().y(),
                                        s.geometry().width(), s.geometry().height()],
         "dpr": s.devicePixelRatio()} for s in QGuiApplication.screens()], "captures": []}
    for index, drag in enumerate(drags):
        start, end = (global_point(part) for part in drag.split(":"))
        results["captures"].append(capture(app, window, start, end,
                                           os.path.join(out_dir, f"capture-{index}.png")))
    print("RESULT " + json.dumps(results))
    window.close()
    for pattern in patterns:
        pattern.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
