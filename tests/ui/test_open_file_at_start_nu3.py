"""``medsnap FILE`` starts like a plain start: the welcome screen with the last clinician's
staff id and the keyboard in its passphrase box (never the editor's), and FILE opens once
the choice is made."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from send_receive_support import running_ward

from medsnap.app import open_window


def test_a_file_given_at_start_waits_for_the_welcome_screens_choice(qtbot, settings_path,
                                                                     grey_png):
    with running_ward(("Rae Last", "Consultant")) as ward:
        from medsnap.messaging.profile import Workstation

        Workstation(ward.home).update(current=ward.staff["Rae Last"])  # signed in last
        window = open_window(QSettings(settings_path, QSettings.Format.IniFormat),
                             [str(grey_png)], home=ward.home, keystore=ward.keystore)
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
