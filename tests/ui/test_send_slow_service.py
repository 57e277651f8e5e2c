"""A messaging service that accepts the connection but does not answer (a hung server, a
stalled network) leaves a queued picture saying "sending … now" only briefly: after a few
seconds the panel says the service is slow and the picture is safe; when the service answers
again the picture goes and the line says Sent."""

from __future__ import annotations

import os
import signal

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import running_ward, sign_in_through_first_run
from ui_support import open_and_wait

from medsnap.ui import send_panel as send_panel_module
from medsnap.ui.messaging_window import attach_messaging


def test_a_hung_service_is_said_to_be_slow_then_the_picture_goes(qtbot, make_window,
                                                                 grey_png, monkeypatch):
    monkeypatch.setattr(send_panel_module, "SLOW_SEND_MS", 1500)
    with running_ward(("Hank Hung", "Consultant"), ("Dr Ben Hughes", "Registrar")) as ward:
        window = make_window(1100, 760)
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
        process = ward.endpoint.process
        try:
            sign_in_through_first_run(qtbot, ui, ward.staff["Hank Hung"])
            ui.binding.timer.stop()  # no background sync meanwhile: only the send waits
            open_and_wait(qtbot, window, grey_png)
            panel = ui.send_panel
            qtbot.keyClicks(panel.picker.search, "ben")
            QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
            panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
            os.kill(process.pid, signal.SIGSTOP)  # connections accepted, nothing answered
            with qtbot.waitSignal(ui.binding.queued, timeout=20000):
                panel.send.click()
            assert "now" in panel.outcome.text()
            qtbot.waitUntil(lambda: "slow to answer" in panel.outcome.text(), timeout=10000)
            assert "kept safe" in panel.outcome.text()
            os.kill(process.pid, signal.SIGCONT)
            qtbot.waitUntil(lambda: panel.outcome.text().startswith("✓ Sent"), timeout=60000)
        finally:
            os.kill(process.pid, signal.SIGCONT)
            ui.shutdown()
