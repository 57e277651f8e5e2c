"""``medsnap FILE`` starts like a plain start: the welcome screen with the last clinician's
staff id and the keyboard in its passphrase box (never the editor's), and FILE opens once
the choice is made; signing in, it is the signer's draft, and no draft is restored over it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from send_receive_support import PASSPHRASE, running_ward

from medsnap.app import open_window
from medsnap.messaging.profile import Workstation
from medsnap.ui.settings import LAST_SIGN_IN


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Rae Last", "Consultant")) as ward:
        yield ward


def _start_with(settings_path, ward, picture):
    Workstation(ward.home).update(current=ward.staff["Rae Last"])  # she signed in last,
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    LAST_SIGN_IN.write(settings, ward.staff["Rae Last"])  # in the window
    settings.sync()
    return open_window(QSettings(settings_path, QSettings.Format.IniFormat), [str(picture)],
                       home=ward.home, keystore=ward.keystore)


def test_a_file_given_at_start_waits_for_the_welcome_screens_choice(qtbot, settings_path,
                                                                     ward, grey_png):
    window = _start_with(settings_path, ward, grey_png)
    ui = window.messaging
    try:
        qtbot.waitUntil(lambda: ui.send_panel is not None, timeout=10000)
        screen = ui.first_run
        assert screen.isVisible() and window.document is None
        assert screen.staff_id.text() == ward.staff["Rae Last"]
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
        assert screen.isAncestorOf(QApplication.focusWidget())
        QTest.keyClicks(QApplication.focusWidget(), "r")  # no rectangle tool: typed
        assert window.tool_strip.tool_id != "rectangle"
        with qtbot.waitSignal(window.picture_loaded, timeout=15000):
            QTest.mouseClick(screen.later, Qt.MouseButton.LeftButton)
        assert window.document is not None and not screen.isVisible()
    finally:
        window.close()
        ui.shutdown()


def test_signing_in_opens_the_file_as_the_signers_draft(qtbot, settings_path, ward,
                                                        grey_png):
    window = _start_with(settings_path, ward, grey_png)
    ui = window.messaging
    try:
        screen = ui.first_run
        screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.document is not None, timeout=15000)
        qtbot.wait(300)
        assert window.source_name == grey_png.name
        assert ui.drafts.keeper == ward.staff["Rae Last"]
        assert "before you signed in" not in window.status.currentMessage()
    finally:
        window.close()
        ui.shutdown()
