"""Change next to the chosen colleague, on the real window (NU5): it cleared the choice but
left the keyboard in the Note box, so a name typed to search went into the note."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from send_receive_support import (choose_colleague, no_draft_left, running_ward,
                                  signed_in_window)


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Ada Changer", "Registrar"), ("Ben First", "Consultant"),
                      ("Cal Acute", "FY2")) as ward:
        yield ward


def test_change_puts_the_keyboard_in_the_to_search_box(qtbot, make_window, ward, grey_png):
    with signed_in_window(qtbot, make_window, ward, "Ada Changer", grey_png) as (window, ui):
        try:
            panel, picker = ui.send_panel, ui.send_panel.picker
            picker.search.setFocus()
            choose_colleague(qtbot, panel, "First")
            panel.note.setFocus()  # the clinician was writing the note
            # pressed without moving the keyboard first (a screen reader's press, a button
            # that takes no focus on click): Change itself puts the keyboard in To
            picker.change.click()
            qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.search, timeout=2000)
            QTest.keyClicks(QApplication.focusWidget(), "Acute")  # typed where the keyboard is
            assert panel.note.toPlainText() == ""
            assert picker.search.text() == "Acute"
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: picker.current is not None, timeout=10000)
            assert picker.current["display_name"] == "Cal Acute"
            QTest.mouseClick(picker.change, Qt.MouseButton.LeftButton)  # and with the mouse
            qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.search, timeout=2000)
        finally:
            no_draft_left(ui)
