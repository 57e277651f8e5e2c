"""A picture opened before anyone signed in (on a shared PC perhaps by someone else) is not
kept as the next clinician's encrypted draft unless it holds work or they touch it; the
status bar says which."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import running_ward, sign_in_through_first_run
from ui_support import drag, open_and_wait

from medsnap.messaging.profile import Workstation
from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Pia Early", "Consultant"), ("Quin Late", "Registrar")) as ward:
        yield ward


def _before_sign_in(qtbot, make_window, ward, picture):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    QTest.mouseClick(ui.first_run.later, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ui.first_run.isVisible(), timeout=5000)
    open_and_wait(qtbot, window, picture)
    ui.send_panel.sign_in_requested.emit()
    return window, ui


def _drafts(ward, name):
    return Workstation(ward.home).profile(ward.staff[name]).drafts_folder


def _saved_now(qtbot, ui) -> bool:
    saved = []
    ui.drafts.saved.connect(saved.append)
    ui.drafts.save_now()
    ui.binding.wait_for_jobs(5000)
    qtbot.wait(50)
    return bool(saved)


def test_an_untouched_picture_is_nobodys_draft_until_touched(qtbot, make_window, ward,
                                                             grey_png):
    window, ui = _before_sign_in(qtbot, make_window, ward, grey_png)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Pia Early"])
        qtbot.waitUntil(lambda: "opened before you signed in" in window.status.currentMessage(),
                        timeout=10000)
        assert not _saved_now(qtbot, ui)
        assert not list(_drafts(ward, "Pia Early").glob("*.age"))
        drag(window, "rectangle", (30, 30), (120, 100))  # touched: hers now
        assert _saved_now(qtbot, ui)
        assert len(list(_drafts(ward, "Pia Early").glob("*.age"))) == 1
    finally:
        ui.drafts.discard()
        ui.binding.wait_for_jobs(5000)
        ui.shutdown()


def test_work_done_before_sign_in_is_kept_and_said(qtbot, make_window, ward, grey_png):
    window, ui = _before_sign_in(qtbot, make_window, ward, grey_png)
    try:
        drag(window, "rectangle", (30, 30), (120, 100))
        sign_in_through_first_run(qtbot, ui, ward.staff["Quin Late"])
        qtbot.waitUntil(lambda: "annotated before you signed in" in
                        window.status.currentMessage(), timeout=10000)
        assert _saved_now(qtbot, ui)
    finally:
        ui.drafts.discard()
        ui.binding.wait_for_jobs(5000)
        ui.shutdown()
