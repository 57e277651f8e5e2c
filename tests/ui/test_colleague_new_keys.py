"""A colleague who enrolled again (a new workstation, a lost key file) while the list was on
screen: Send learns it first, says so, updates the card with its key-changed warning, and the
next Send asks as for any changed key. NU5: the window sealed to the old keys for the whole
session and said "revoked … tell IT", while `medsnap send` went to the new keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from send_receive_support import (PASSPHRASE, choose_colleague, running_ward,
                                  signed_in_window)
from ui_support import drag


def _enrol_again(ward, name: str) -> None:
    from keyring_backends import MemoryKeyring

    from medsnap.crypto.keystore import KeyStore
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import enrol
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database
    import tempfile
    from pathlib import Path

    database = open_database(ward.endpoint.database_url)
    try:
        code, _ = admin.new_code(database, ward.staff[name])
    finally:
        database.close()
    desk = Path(tempfile.mkdtemp(prefix="medsnap-new-desk-"))
    enrol(Workstation(desk), ward.staff[name], code, PASSPHRASE,
          endpoint_url=ward.endpoint.url, keystore=KeyStore(keyring_backend=MemoryKeyring())
          ).close()


def test_send_to_a_colleague_who_enrolled_again_asks_first(qtbot, make_window, grey_png):
    with running_ward(("Kim Keys", "Registrar"), ("Rob Rekey", "Consultant")) as ward, \
            signed_in_window(qtbot, make_window, ward, "Kim Keys", grey_png) as (window, ui):
        panel = ui.send_panel
        drag(window, "redaction", (10, 10), (60, 30))
        choose_colleague(qtbot, panel, "Rob")
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        with qtbot.waitSignal(ui.binding.sent, timeout=20000):  # known: his first keys
            panel.send.click()
        drag(window, "rectangle", (80, 80), (160, 140))  # the next picture's work
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))

        _enrol_again(ward, "Rob Rekey")
        with qtbot.waitSignal(ui.binding.send_failed, timeout=20000) as failed:
            panel.send.click()
        assert "has new keys since the list was loaded" in failed.args[0]
        assert "revoked" not in failed.args[0]
        qtbot.waitUntil(lambda: panel.picker.key_changed, timeout=5000)
        assert "key has changed" in panel.picker.warning.text()

        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        panel.send.click()
        box = panel.key_change_box
        assert box.isVisible() and box.defaultButton().text() == "Cancel"
        [anyway] = [b for b in box.buttons() if b.text() != "Cancel"
                    and "safety" not in b.text().lower()]
        with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
            anyway.click()
        assert sent.args[1] == "sent", sent.args
