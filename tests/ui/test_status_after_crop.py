"""Leaving the crop tool while the status bar shows a passing message (a tool button's
status tip, shown while the pointer is on it): the hint waits under the message as Qt's
status bar has it, not drawn at the same time (the hint was drawn twice over itself)."""

from __future__ import annotations

from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import QApplication
from ui_support import open_and_wait


def test_the_hint_is_not_drawn_under_a_passing_message(qtbot, make_window, grey_png):
    window = make_window(1100, 700)
    open_and_wait(qtbot, window, grey_png)
    status = window.status
    window.tool_strip.choose("crop")
    qtbot.wait(50)
    assert window.crop_bar.isVisible() and not status.hint.isVisible()
    tip = "Select: click an annotation to select it"
    QApplication.sendEvent(window, QStatusTipEvent(tip))  # the pointer on the Select button
    assert status.currentMessage() == tip
    window.tool_strip.choose("select")  # clicked
    assert not status.hint.isVisible() and not window.crop_bar.isVisible()
    QApplication.sendEvent(window, QStatusTipEvent(""))  # the pointer leaves the button
    assert status.hint.isVisible() and not window.crop_bar.isVisible()
    assert status.hint.text().startswith("Click or Enter selects")
    assert status.position.isVisible() and status.size_label.isVisible()

    window.tool_strip.choose("crop")  # and back: the crop bar waits under a message too
    QApplication.sendEvent(window, QStatusTipEvent(tip))
    window.tool_strip.choose("select")
    window.tool_strip.choose("crop")
    assert not status.hint.isVisible() and not window.crop_bar.isVisible()
    QApplication.sendEvent(window, QStatusTipEvent(""))
    assert window.crop_bar.isVisible() and not status.hint.isVisible()
