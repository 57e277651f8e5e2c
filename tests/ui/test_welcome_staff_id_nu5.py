"""Shared workstation (NU5): the welcome screen filled in whoever last used MedSnap on the
workstation, the command line's ``--as`` included, and a clinician who typed only their
passphrase was told it "does not unlock the keys of demo.ada". It now fills in only the last
clinician signed in in this window on this account, until they choose Switch user, and a
wrong passphrase for that filled-in id says "Not you? Type your own staff id."."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import PASSPHRASE, running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Ada Cli", "Consultant"), ("Chloe Window", "Ward Sister")) as ward:
        yield ward


def _command_line_sign_in(ward, name: str) -> None:
    """What `medsnap send --as ID` does first: the engine's sign-in, which records ID as the
    workstation's current clinician."""
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in

    sign_in(Workstation(ward.home), ward.staff[name], PASSPHRASE,
            keystore=ward.keystore).close()
    assert Workstation(ward.home).read()["current"] == ward.staff[name]


def _start(make_window, ward):
    window = make_window(1100, 760)
    return window, attach_messaging(window, home=ward.home, keystore=ward.keystore)


def _close(window, ui) -> None:
    ui.shutdown()
    window.close()


def _refused(qtbot, ui, passphrase: str) -> str:
    screen = ui.first_run
    screen.passphrase.setText(passphrase)
    with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000):
        QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
    return screen.error.text()


def test_the_welcome_screen_fills_in_only_this_windows_last_clinician(qtbot, make_window,
                                                                      ward):
    _command_line_sign_in(ward, "Ada Cli")
    window, ui = _start(make_window, ward)
    assert ui.first_run.staff_id.text() == ""  # not Ada, who only used the command line
    sign_in_through_first_run(qtbot, ui, ward.staff["Chloe Window"])
    _close(window, ui)

    _command_line_sign_in(ward, "Ada Cli")  # the command line again, after Chloe
    window, ui = _start(make_window, ward)
    screen = ui.first_run
    assert screen.staff_id.text() == ward.staff["Chloe Window"]  # she comes back (a crash)
    said = _refused(qtbot, ui, "someone else's passphrase 1")
    assert said.startswith("That passphrase does not unlock the keys of")
    assert said.endswith("Not you? Type your own staff id.")

    screen.staff_id.setText(ward.staff["Ada Cli"])  # typed by the clinician: it is theirs
    said = _refused(qtbot, ui, "a mistyped passphrase 1")
    assert "Not you?" not in said

    screen.staff_id.setText(ward.staff["Chloe Window"])
    screen.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
        QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
    ui.switch_action.trigger()  # she hands the workstation over
    assert screen.isVisible() and screen.staff_id.text() == ""
    _close(window, ui)

    window, ui = _start(make_window, ward)
    assert ui.first_run.staff_id.text() == ""  # nor after a restart
    _close(window, ui)
