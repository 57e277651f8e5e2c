"""Start-up: with ``deferred=True`` the welcome screen is the first frame and the messaging
panels are built just after it, under the welcome screen (a request made before then builds
them first; closing before then shuts down cleanly; leaving it gives the picture the keyboard
and a fitted zoom). The first frames set up none of Qt's enums and write no settings; closing
closes the window's own message boxes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QDockWidget
from ui_support import memory_keystore

from medsnap.ui.messaging_window import attach_messaging


def _attach(window, **options):
    home = Path(tempfile.mkdtemp(prefix="medsnap-start-"))
    return attach_messaging(window, home=home, keystore=memory_keystore(), deferred=True, **options)


def test_panels_come_after_the_first_paint_under_the_welcome_screen(qtbot, make_window):
    window = make_window(1280, 800)
    ui = _attach(window)
    # nothing but the welcome screen before the first paint
    assert ui.send_panel is None and window.findChildren(QDockWidget) == []
    assert ui.first_run.isVisible() and ui.first_run.geometry() == window.rect()
    qtbot.waitUntil(lambda: ui.send_panel is not None, timeout=5000)
    docks = window.findChildren(QDockWidget)
    assert {dock.objectName() for dock in docks} == {"sendDock", "messagesDock"}
    assert all(dock.isVisible() for dock in docks)
    # the welcome screen still covers everything, the docks too
    for dock in docks:
        centre = dock.mapTo(window, dock.rect().center())
        assert window.childAt(centre) is ui.first_run or \
            ui.first_run.isAncestorOf(window.childAt(centre))
    assert window.childAt(QPoint(5, 5)) is ui.first_run
    assert ui.indicator.text() == "Not signed in"
    assert "&Messages" in [action.text() for action in window.menuBar().actions()]
    assert not ui.lock_screen.isVisible()
    ui.build_panels()  # a second call builds nothing more
    assert len(window.findChildren(QDockWidget)) == 2


def test_a_request_before_the_panels_builds_them_first(qtbot, make_window):
    window = make_window(1280, 800)
    ui = _attach(window)
    assert ui.send_panel is None
    ui.first_run.later.click()  # "Just annotate for now", before any event is processed
    assert ui.send_panel is not None and not ui.first_run.isVisible()
    assert ui.send_dock.isVisible() and window.canvas.isVisible()
    for _ in range(3):  # the first paint after it builds nothing twice
        QApplication.processEvents()
    assert len(window.findChildren(QDockWidget)) == 2


def test_closing_before_the_panels_are_built(qtbot, make_window):
    window = make_window(1280, 800)
    ui = _attach(window)
    ui.binding.timer.start()  # as after a sign-in: the binding's shutdown stops it
    window.close()
    assert not ui.binding.timer.isActive() and ui.send_panel is None
    for _ in range(3):  # no panels are built for a closed window
        QApplication.processEvents()
    assert ui.send_panel is None


_FIRST_FRAME = """
import sys
import PySide6.QtCore as QtCore
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
            QTimer.singleShot(0, lambda: (print("Qt enums set up:", "Qt" in vars(QtCore)),
                                          app.quit()))
        return False

from medsnap.ui.main_window import MainWindow

first = FirstPaint()
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.resize(1280, 800)
window.canvas.viewport().installEventFilter(first)
window.show()
app.exec()
"""


# medsnap itself (app.main), with nobody signed in: the welcome screen is the first frame
_APP_FIRST_FRAME = _FIRST_FRAME.split("from medsnap.ui.main_window")[0] + """
import medsnap.ui.main_window as editor

first = FirstPaint()
made = editor.MainWindow.__init__


def watched(self, *args, **kwargs):
    made(self, *args, **kwargs)
    self.installEventFilter(first)


editor.MainWindow.__init__ = watched
from medsnap.app import main

main([])
"""


def _first_frame_sets_up_qt(script: str, tmp_path) -> str:
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               MEDSNAP_HOME=str(tmp_path / "medsnap"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "settings.ini")],
                         capture_output=True, text=True, timeout=60, env=env)
    return out.stdout + out.stderr[-2000:]


def test_the_first_frame_does_not_set_up_qts_enums(tmp_path):
    """PySide6 sets up all of Qt's ~90 enums (~18 ms) when ``PySide6.QtCore.Qt`` is first
    touched: neither the editor's first frame nor medsnap's (the welcome screen) may
    (see medsnap/ui/qt_enums.py)."""
    assert "Qt enums set up: False" in _first_frame_sets_up_qt(_FIRST_FRAME, tmp_path)
    assert "Qt enums set up: False" in _first_frame_sets_up_qt(_APP_FIRST_FRAME, tmp_path)


def test_closing_the_window_closes_its_message_boxes(qtbot, make_window):
    from PySide6.QtWidgets import QMessageBox

    window = make_window(1000, 700)
    other = make_window(800, 600)
    window.report_error("The file could not be read.")
    other.report_error("Another window's message.")
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    [kept] = [b for b in other.findChildren(QMessageBox) if b.isVisible()]
    window.close()
    assert not box.isVisible() and kept.isVisible()  # only this window's
    other.close()
    assert not kept.isVisible()


def test_a_start_that_changes_nothing_writes_no_settings(qtbot, make_window, settings_path):
    """QSettings rewrites and fsyncs its whole file in the first event-loop pass after any
    setValue, before the first paint: a start with nothing new must not ask it to."""
    first = make_window(1000, 700)
    first.choose_tool("arrow")  # something to remember
    first.close()
    written = Path(settings_path).read_bytes(), Path(settings_path).stat().st_mtime_ns
    second = make_window(1000, 700)  # shown and painted
    assert second.tool_strip.tool_id == "arrow"
    for _ in range(3):
        QApplication.processEvents()
    assert (Path(settings_path).read_bytes(), Path(settings_path).stat().st_mtime_ns) == written
    second.choose_tool("pen")  # a real change is still saved
    second.close()
    assert b"last=pen" in Path(settings_path).read_bytes()


@pytest.mark.parametrize("deferred", [False, True])
def test_leaving_the_welcome_screen_gives_the_picture_the_keyboard(qtbot, make_window,
                                                                   deferred):
    window = make_window(1280, 800)
    home = Path(tempfile.mkdtemp(prefix="medsnap-start-"))
    ui = attach_messaging(window, home=home, keystore=memory_keystore(), deferred=deferred)
    qtbot.waitUntil(lambda: ui.send_panel is not None, timeout=5000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ui.first_run.staff_id, timeout=5000)
    ui.first_run.later.click()
    assert QApplication.focusWidget() is window.canvas
    assert window.canvas.isVisible() and window.status.isVisible()


def test_a_picture_opened_under_the_welcome_screen_is_fitted_when_it_goes(qtbot, make_window,
                                                                          tmp_path):
    from PIL import Image

    path = tmp_path / "wide.png"
    Image.new("RGB", (3000, 1000), (128, 128, 128)).save(path)
    window = make_window(1280, 800)
    ui = _attach(window)  # the welcome screen is up
    with qtbot.waitSignal(window.picture_loaded, timeout=10000):
        window.open_path(str(path))
    ui.first_run.later.click()
    canvas = window.canvas
    QApplication.processEvents()
    fitted = min(canvas.viewport().width() / 3000, canvas.viewport().height() / 1000)
    assert abs(canvas.scale - fitted) < 0.01
    assert window.status.zoom.currentText() == f"{canvas.scale * 100:.0f}%"
