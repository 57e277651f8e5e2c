"""No passphrase outlives its use on the welcome and lock screens: Switch user, sign-in
(right or wrong), enrolment and Just annotate leave no secret, and nothing another clinician
typed, in any field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import PASSPHRASE, running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Ada Secret", "Consultant"), ("Ben Other", "Registrar")) as ward:
        yield ward


@pytest.fixture
def ui(make_window, ward):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    yield ui
    ui.shutdown()


def _typed(screen) -> dict[str, str]:
    fields = (screen.staff_id, screen.passphrase, screen.enrol_staff_id, screen.code,
              screen.new_passphrase, screen.repeat)
    return {f.accessibleName(): f.text() for f in fields if f.text()}


def test_switch_user_leaves_no_passphrase_so_a_staff_id_alone_signs_nobody_in(qtbot, ui,
                                                                               ward):
    screen = ui.first_run
    screen.code.setText("ABCD-1234")  # half an enrolment typed, then signed in instead
    screen.new_passphrase.setText("four unrelated words here")
    sign_in_through_first_run(qtbot, ui, ward.staff["Ada Secret"])
    assert screen.passphrase.text() == ""  # gone as soon as it was sent to be checked
    ui.lock_screen.passphrase.setText("half typed")
    ui.switch_action.trigger()
    assert screen.isVisible()
    assert _typed(screen) == {}
    assert ui.lock_screen.passphrase.text() == ""

    screen.staff_id.setText(ward.staff["Ada Secret"])  # the tester's step: staff id only
    QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)
    assert ui.binding.session is None and screen.isVisible()
    assert "passphrase" in screen.error.text()


def test_a_refused_sign_in_and_just_annotate_leave_no_secret(qtbot, ui, ward):
    screen = ui.first_run
    screen.staff_id.setText(ward.staff["Ben Other"])
    screen.passphrase.setText("not my passphrase at all 1")
    with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000):
        QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
    assert screen.passphrase.text() == "" and screen.staff_id.text() == ward.staff["Ben Other"]
    screen.passphrase.setText(PASSPHRASE)
    screen.repeat.setText(PASSPHRASE)
    QTest.mouseClick(screen.later, Qt.MouseButton.LeftButton)
    assert not screen.isVisible() and _typed(screen) == {}
