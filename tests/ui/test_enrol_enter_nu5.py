"""Enter in the enrol form on the real window (NU5): pressing Enter in "Repeat" did nothing,
the highlighted default button being the sign-in box's. Enter in any enrol field enrols (or
says what is missing), and Enrol is the highlighted button while typing there."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import add_clinician, new_endpoint

from medsnap.ui.messaging_window import attach_messaging

PASSPHRASE = "quiet meadow lamps 81 east"


@pytest.fixture(scope="module")
def endpoint():
    server = new_endpoint()
    yield server
    server.stop()


def test_enter_in_the_enrol_form_enrols(qtbot, make_window, endpoint, monkeypatch):
    from keyring_backends import MemoryKeyring

    from medsnap.crypto.keystore import KeyStore

    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)  # what IT's policy would say
    window = make_window(1280, 800)
    ui = attach_messaging(window, home=Path(tempfile.mkdtemp(prefix="medsnap-enter-")),
                          keystore=KeyStore(keyring_backend=MemoryKeyring()))
    try:
        screen = ui.first_run
        assert screen.isVisible()
        staff_id, code = add_clinician(endpoint, "Pat Presser")

        screen.code.setFocus()  # Enter with the form half filled: it says what is missing
        QTest.keyClick(screen.code, Qt.Key.Key_Return)
        assert "the code from IT" in screen.error.text() and not ui.binding.is_unlocked
        assert screen.enrol_button.isDefault() and not screen.sign_in_button.isDefault()

        screen.enrol_staff_id.setText(staff_id)
        screen.code.setText(code)
        screen.new_passphrase.setText(PASSPHRASE)
        screen.repeat.setFocus()
        qtbot.keyClicks(screen.repeat, PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=30000) as signed:
            QTest.keyClick(screen.repeat, Qt.Key.Key_Return)
        assert signed.args == ["Pat Presser"] and not screen.isVisible()
    finally:
        ui.shutdown()


def test_enter_in_the_sign_in_box_still_signs_in(qtbot, make_window, endpoint):
    from keyring_backends import MemoryKeyring

    from medsnap.crypto.keystore import KeyStore

    window = make_window(1280, 800)
    ui = attach_messaging(window, home=Path(tempfile.mkdtemp(prefix="medsnap-enter-")),
                          keystore=KeyStore(keyring_backend=MemoryKeyring()))
    try:
        screen = ui.first_run
        screen.repeat.setFocus()
        screen.staff_id.setFocus()  # back in the sign-in box: its button is the default again
        assert screen.sign_in_button.isDefault() and not screen.enrol_button.isDefault()
        screen.staff_id.setText("nobody.here")
        screen.passphrase.setText("some long passphrase 12")
        with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000):
            QTest.keyClick(screen.passphrase, Qt.Key.Key_Return)
    finally:
        ui.shutdown()
