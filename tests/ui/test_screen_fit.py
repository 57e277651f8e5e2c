"""The window never grows past the screen's free area: at QT_SCALE_FACTOR=2 on a 1920x1080
screen the first start put the menu bar above the top, Crop widened the window past the
right edge (its boxes set the status bar's minimum width), and a size kept from an earlier
run put Send off screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from ui_support import open_and_wait

from medsnap.ui.window_memory import save_layout

PROBE = """
import json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from medsnap.ui.main_window import MainWindow
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
area = window.screen().availableGeometry()
frame = window.frameGeometry()
print(json.dumps({"area": [area.x(), area.y(), area.width(), area.height()],
                  "frame": [frame.x(), frame.y(), frame.width(), frame.height()]}))
window.close()
"""


def _inside(frame, area) -> bool:
    fx, fy, fw, fh = frame
    ax, ay, aw, ah = area
    return ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah


def test_first_start_at_scale_factor_two_fits_the_screen(tmp_path):
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "s.ini")], env=env,
                          cwd=root, capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert _inside(seen["frame"], seen["area"]), seen


def test_a_kept_size_larger_than_the_screen_is_brought_inside(qtbot, make_window,
                                                              settings_path):
    window = make_window()
    window.resize(2200, 1500)
    window.move(0, 0)
    save_layout(window)
    from medsnap.ui.main_window import MainWindow

    again = MainWindow(QSettings(settings_path, QSettings.Format.IniFormat))
    try:
        area = again.screen().availableGeometry()
        frame = again.frameGeometry()
        assert area.contains(frame), (area, frame)
    finally:
        again.close()
        again.deleteLater()


def test_crop_does_not_raise_the_windows_minimum_width(qtbot, make_window, grey_png):
    window = make_window(700, 500)
    open_and_wait(qtbot, window, grey_png)
    before = window.minimumSizeHint().width()
    window.choose_tool("crop")
    qtbot.wait(50)
    assert window.crop_bar.isVisible()
    assert window.minimumSizeHint().width() <= before
    assert window.width() == 700
    window.choose_tool("select")
    qtbot.wait(50)
    assert window.width() == 700
