"""What a new user met around the editor (NU5), on the real window: no zoom level without a
picture; the status bar follows the unopened messages and forgets a previous picture's file
name; the file dialogs start in a sensible folder, never the working directory; the message
viewer opens sized to the screen."""

from __future__ import annotations

from ui_support import open_and_wait


def test_no_zoom_level_is_shown_without_a_picture(qtbot, make_window, grey_png):
    window = make_window(1000, 700)
    zoom = window.status.zoom
    assert zoom.currentText() == ""  # it said "10%"
    window.resize(900, 650)  # the empty canvas is fitted again: still no zoom level
    qtbot.wait(50)
    assert zoom.currentText() == ""
    open_and_wait(qtbot, window, grey_png)
    assert zoom.currentText().endswith("%") and zoom.currentText() != "%"
    window.close_document()
    assert zoom.currentText() == ""
