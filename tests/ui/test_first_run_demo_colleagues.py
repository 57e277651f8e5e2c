"""After the demo was tried, the welcome screen lists its colleagues with their (public)
passphrases, and a click signs in as one: Switch user to read what you sent as Dr Hughes
needed the passphrase from a dialog that was gone by then."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_support import memory_keystore

from medsnap.messaging.demo import COLLEAGUES
from medsnap.ui.first_run import DEMO_INTRO
from medsnap.ui.messaging_window import attach_messaging


def test_switch_user_offers_the_demo_colleagues_one_click_each(qtbot, make_window):
    home = Path(tempfile.mkdtemp(prefix="medsnap-demo-colleagues-"))
    ui = attach_messaging(make_window(1280, 800), home=home, keystore=memory_keystore())
    ui.binding.demo_port = 0
    try:
        assert ui.first_run.demo_text.text() == DEMO_INTRO  # not tried yet: nobody listed
        with qtbot.waitSignal(ui.binding.signed_in, timeout=60000):
            QTest.mouseClick(ui.first_run.demo_button, Qt.MouseButton.LeftButton)
        assert ui.binding.staff_id == COLLEAGUES[0].staff_id

        ui.switch_user()
        listed = ui.first_run.demo_text.text()
        for colleague in COLLEAGUES:
            assert f"<a href='{colleague.staff_id}'>Sign in as {colleague.name}</a>" in listed
            assert colleague.passphrase in listed
        ben = COLLEAGUES[1]
        with qtbot.waitSignal(ui.binding.signed_in, timeout=60000):
            ui.first_run.demo_text.linkActivated.emit(ben.staff_id)  # the link clicked
        assert ui.binding.staff_id == ben.staff_id
        assert ui.first_run.passphrase.text() == ""  # nothing typed is left in the fields
        ui.first_run.demo_text.linkActivated.emit("demo.nobody")  # not listed: nothing
    finally:
        ui.shutdown()
