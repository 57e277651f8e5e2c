"""What a new user met in the send panel (NU5), on the real window against a real endpoint
process: after a send the panel reads as done (no next-step hint until something changes);
Send from the keyboard with a field missing puts the keyboard in that field; choosing or
clearing a colleague moves nothing below the To box."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from send_receive_support import (choose_colleague, no_draft_left, running_ward, send_to,
                                  signed_in_window)


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Nell Sender", "Registrar"), ("Otto Reader", "Consultant")) as ward:
        yield ward


@contextmanager
def window_of(qtbot, make_window, ward, name, picture=None, **options):
    """signed_in_window, leaving no draft for this clinician's next window in the module."""
    with signed_in_window(qtbot, make_window, ward, name, picture, **options) as (window, ui):
        try:
            yield window, ui
        finally:
            no_draft_left(ui)


def test_after_a_send_the_panel_reads_as_done(qtbot, make_window, ward, grey_png):
    with window_of(qtbot, make_window, ward, "Nell Sender", grey_png) as (window, ui):
        panel = ui.send_panel
        send_to(qtbot, ui, "Otto")
        # the outcome alone: no "Say whether the patient can be identified." above it
        assert panel.outcome.isVisible() and "Sent to Otto Reader" in panel.outcome.text()
        assert not panel.why_not.isVisible()
        assert not panel.send.isEnabled()  # a second press still sends nothing
        # the next send starts: the hint says what it needs
        qtbot.keyClicks(panel.note, "and this one")
        assert panel.why_not.isVisible()
        assert panel.why_not.text() == "Say whether the patient can be identified."


def test_an_edit_of_the_picture_after_a_send_brings_the_hint_back(qtbot, make_window, ward,
                                                                  grey_png):
    from ui_support import drag

    with window_of(qtbot, make_window, ward, "Nell Sender", grey_png) as (window, ui):
        panel = ui.send_panel
        send_to(qtbot, ui, "Otto")
        assert not panel.why_not.isVisible()
        drag(window, "rectangle", (50, 50), (150, 120))
        assert panel.why_not.isVisible()


def test_send_with_a_field_missing_puts_the_keyboard_in_that_field(qtbot, make_window, ward,
                                                                   grey_png):
    with window_of(qtbot, make_window, ward, "Nell Sender", grey_png) as (window, ui):
        panel = ui.send_panel
        window.canvas.setFocus()
        qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
        QTest.keyClick(window.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert window.status.currentMessage() == "Choose a colleague."
        qtbot.waitUntil(panel.picker.search.hasFocus, timeout=2000)
        qtbot.keyClicks(QApplication.focusWidget(), "Otto")  # answered by typing at once
        QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: panel.picker.current is not None, timeout=10000)

        window.canvas.setFocus()  # back to the picture, then Messages ▸ Send picture
        qtbot.waitUntil(window.canvas.hasFocus, timeout=2000)
        assert window.actions.send.text() == "&Send picture"
        window.actions.send.trigger()
        assert window.status.currentMessage() == "Say whether the patient can be identified."
        qtbot.waitUntil(panel.declaration.hasFocus, timeout=2000)


def _rows_below_to(panel) -> dict[str, int]:
    """Where each field below the To box sits, in the panel (what the pointer aims at)."""
    fields = (panel.note, panel.declaration, panel.priority, panel.expires, panel.preview,
              panel.send)
    # (Send's words name the colleague: keyed by its object name, which stays)
    return {field.objectName() or field.accessibleName() or field.text():
            field.mapTo(panel, field.rect().topLeft()).y() for field in fields}


@pytest.mark.parametrize("size", [(1366, 740), (1100, 760)])
def test_choosing_or_clearing_a_colleague_moves_nothing_below(qtbot, make_window, ward,
                                                              grey_png, size):
    with window_of(qtbot, make_window, ward, "Nell Sender", grey_png,
                          size=size) as (window, ui):
        panel = ui.send_panel
        qtbot.wait(50)  # the docks take their sizes
        before = _rows_below_to(panel)
        choose_colleague(qtbot, panel, "Otto")
        qtbot.waitUntil(panel.picker.card.isVisible, timeout=2000)
        QApplication.processEvents()
        assert _rows_below_to(panel) == before
        QTest.mouseClick(panel.picker.change, Qt.MouseButton.LeftButton)  # cleared again
        qtbot.waitUntil(panel.picker.search.isVisible, timeout=2000)
        QApplication.processEvents()
        assert _rows_below_to(panel) == before
        assert panel.picker.search.hasFocus()  # Change: the keyboard is in To again


def test_send_stays_where_it_was_when_it_becomes_usable(qtbot, make_window, ward, grey_png):
    """At 1366x768 the hint under Send went as the last field was set and Send jumped a line
    down: a tester's click at its old place missed (NU7)."""
    with window_of(qtbot, make_window, ward, "Nell Sender", grey_png,
                   size=(1366, 768)) as (window, ui):
        panel = ui.send_panel

        def above_the_panels_foot() -> int:
            """How far Send sits above the panel's bottom edge, the hint and the outcome
            between them (measured from the foot: the window settling its size on a busy
            machine moved the whole panel once, which is not what this is about)."""
            QApplication.processEvents()
            panel.layout().activate()
            return panel.height() - panel.send.mapTo(panel, panel.send.rect().topLeft()).y()

        choose_colleague(qtbot, panel, "Otto")
        assert panel.why_not.isVisible() and not panel.send.isEnabled()
        before = above_the_panels_foot()
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        assert panel.send.isEnabled() and not panel.why_not.isVisible()
        assert above_the_panels_foot() == before
