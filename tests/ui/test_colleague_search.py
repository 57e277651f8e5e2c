"""A colleague who enrolled after the list was loaded is found by name or staff id (the
endpoint's directory is asked when nobody listed matches), and "No colleague matches …" is
said when the endpoint knows nobody by that name either."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Sol Searcher", "Consultant"), ("Una Early", "Registrar")) as ward:
        yield ward


@pytest.fixture
def picker_ui(make_window, ward, qtbot):
    window = make_window(1280, 800)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    sign_in_through_first_run(qtbot, ui, ward.staff["Sol Searcher"])
    yield ui
    ui.shutdown()


def test_a_colleague_enrolled_after_sign_in_is_found(qtbot, picker_ui, ward):
    picker = picker_ui.send_panel.picker
    late = ward.enrol("Nia Latecomer", "Registrar")  # after the list was loaded
    assert not [e for e in picker.entries if e["staff_id"] == late]
    qtbot.keyClicks(picker.search, "Latecomer")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.current is not None, timeout=20000)
    assert picker.current["staff_id"] == late and not picker.no_match.isVisible()

    later = ward.enrol("Ody Later", "Registrar")  # by staff id, typed with a pause, no Enter
    picker.clear()
    qtbot.keyClicks(picker.search, later)
    qtbot.waitUntil(lambda: picker.list.count() == 1, timeout=20000)
    assert "Ody Later" in picker.list.item(0).text()


def test_nobody_matching_is_said(qtbot, picker_ui):
    picker = picker_ui.send_panel.picker
    qtbot.keyClicks(picker.search, "Zqxv")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(picker.no_match.isVisible, timeout=20000)
    assert picker.no_match.text().startswith("No colleague matches “Zqxv”")
    assert picker.current is None
    picker.search.clear()
    assert not picker.no_match.isVisible()
