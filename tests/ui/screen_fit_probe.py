"""Run inside a real X server with a window manager by test_hidpi_fit_nu5.py (not a test).

``keep``: the editor at 1580 x 860 saves its layout, as on a screen without scaling.
``show``: the editor restores that layout (QT_SCALE_FACTOR set by the caller), waits until
the window manager has framed it, and prints the frame and the screen's free area as JSON.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


def main() -> None:
    from medsnap.ui.main_window import MainWindow
    from medsnap.ui.window_memory import save_layout

    app = QApplication(sys.argv[:1])
    mode, settings = sys.argv[1], QSettings(sys.argv[2], QSettings.Format.IniFormat)
    window = MainWindow(settings)
    if mode == "keep":
        window.resize(1580, 860)
        window.move(0, 0)
        save_layout(window)
        print("RESULT {}")
        return
    window.show()
    deadline = time.monotonic() + 10
    while window.frameGeometry().size() == window.size() and time.monotonic() < deadline:
        app.processEvents()  # the window manager's frame comes asynchronously
        time.sleep(0.01)
    framed = window.frameGeometry().size() != window.size()
    end = time.monotonic() + 0.5
    while time.monotonic() < end:  # and whatever the window does about it
        app.processEvents()
        time.sleep(0.01)
    area, frame = window.screen().availableGeometry(), window.frameGeometry()
    print("RESULT " + json.dumps({
        "framed": framed, "area": [area.x(), area.y(), area.width(), area.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()]}))
    window.close()


if __name__ == "__main__":
    main()
