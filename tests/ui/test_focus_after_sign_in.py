"""After signing in with a picture on screen, the keyboard is on the picture, so a tool's key
picks the tool. NU5: it was in the To box: X (the redaction box) typed "x" there, the tool
stayed Arrow, and the drag meant to black out a name drew a red arrow across it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from send_receive_support import no_draft_left, running_ward, sign_in_through_first_run
from ui_support import drag, open_and_wait

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Fay Focus", "Registrar"), ("Gil Other", "Consultant")) as ward:
        yield ward


def _x_picks_the_redaction_box(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    focused = QApplication.focusWidget()
    assert focused is window.canvas, focused
    QTest.keyClick(focused, Qt.Key.Key_X)
    assert window.canvas.tool.tool_id == "redaction"


def test_a_picture_annotated_before_signing_in(qtbot, make_window, ward, grey_png):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        QTest.mouseClick(ui.first_run.later, Qt.MouseButton.LeftButton)
        open_and_wait(qtbot, window, grey_png)
        drag(window, "arrow", (40, 40), (140, 110))
        ui.first_run.present_with("")  # Sign in to send…
        sign_in_through_first_run(qtbot, ui, ward.staff["Fay Focus"])
        _x_picks_the_redaction_box(qtbot, window)
        no_draft_left(ui)  # the next test restores its own draft, not this one
    finally:
        ui.shutdown()


def test_a_draft_restored_at_sign_in(qtbot, make_window, ward, grey_png):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Fay Focus"])
        open_and_wait(qtbot, window, grey_png)
        drag(window, "arrow", (40, 40), (140, 110))
        ui.switch_action.trigger()  # kept as Fay's draft (written by a background job)
        assert ui.binding.wait_for_jobs(10000)  # (a clinician takes longer than that to sign in)
        sign_in_through_first_run(qtbot, ui, ward.staff["Fay Focus"])
        qtbot.waitUntil(lambda: window.document is not None
                        and len(window.document.annotations) == 1, timeout=10000)
        _x_picks_the_redaction_box(qtbot, window)
    finally:
        ui.shutdown()
