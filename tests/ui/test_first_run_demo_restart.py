"""A demo endpoint that died with the window serving it (kill -9, a crash) comes back: signing
in as a demo colleague starts it again on this computer, and a signed-in window that finds it
gone (a sync, F5) does the same and goes online with its colleagues."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_support import memory_keystore

from medsnap.messaging.demo import COLLEAGUES
from medsnap.ui.messaging_window import attach_messaging


def _online_with_colleagues(qtbot, ui) -> None:
    qtbot.waitUntil(lambda: ui.binding.offline == "", timeout=60000)
    qtbot.waitUntil(lambda: {e["display_name"] for e in ui.send_panel.picker.entries}
                    == {"Dr Ben Hughes", "Chloe Martin"}, timeout=20000)


def test_a_dead_demo_is_started_again_at_sign_in_and_on_sync(qtbot, make_window, qapp):
    home = Path(tempfile.mkdtemp(prefix="medsnap-demo-restart-"))
    keystore = memory_keystore()
    first = attach_messaging(make_window(1280, 800), home=home, keystore=keystore)
    first.binding.demo_port = 0
    with qtbot.waitSignal(first.binding.signed_in, timeout=60000):
        QTest.mouseClick(first.first_run.demo_button, Qt.MouseButton.LeftButton)
    dead_url = first.binding.demo.url
    first.shutdown()  # the window and the demo endpoint it served are gone

    ui = attach_messaging(make_window(1280, 800), home=home, keystore=keystore)
    ui.binding.demo_port = 0
    try:
        ada = COLLEAGUES[0]
        restarts: list[bool] = []  # the binding's news that it started the demo again
        ui.binding.demo_restarted.connect(lambda: restarts.append(True))
        with qtbot.waitSignal(ui.binding.signed_in, timeout=60000):
            ui.binding.sign_in(ada.staff_id, ada.passphrase)
        _online_with_colleagues(qtbot, ui)
        revived = ui.binding.demo
        assert revived is not None and not revived.already_running  # this window serves it
        assert revived.url != dead_url and ui.binding.session.transport.url == revived.url
        assert restarts

        revived.stop()  # the demo dies under a signed-in window: the next sync brings it back
        ui.binding.demo = None
        with qtbot.waitSignal(ui.binding.offline_changed, timeout=60000,
                              check_params_cb=lambda reason: bool(reason)):
            ui.binding.sync()
        _online_with_colleagues(qtbot, ui)
        again = ui.binding.demo
        assert again is not None and again.url != revived.url
        assert ui.binding.session.transport.url == again.url
    finally:
        ui.shutdown()


def test_a_demo_started_elsewhere_is_used(qtbot, make_window, qapp):
    """A 'medsnap demo' in a terminal (here: started by the engine, as the command does)
    brings a window whose demo died online, on the terminal's address."""
    from medsnap.messaging.demo import start_demo

    home = Path(tempfile.mkdtemp(prefix="medsnap-demo-terminal-"))
    keystore = memory_keystore()
    ui = attach_messaging(make_window(1280, 800), home=home, keystore=keystore)
    ui.binding.demo_port = 0
    terminal = None
    try:
        with qtbot.waitSignal(ui.binding.signed_in, timeout=60000):
            QTest.mouseClick(ui.first_run.demo_button, Qt.MouseButton.LeftButton)
        _online_with_colleagues(qtbot, ui)
        ui.binding.demo.stop()
        ui.binding.demo = None
        terminal = start_demo(home, port=0, keystore=keystore)
        assert not terminal.already_running
        ui.binding.sync()
        qtbot.waitUntil(lambda: ui.binding.session.transport.url == terminal.url,
                        timeout=60000)
        _online_with_colleagues(qtbot, ui)
        assert ui.binding.demo is None  # the terminal's: not this window's to stop
    finally:
        ui.shutdown()
        if terminal is not None:
            terminal.stop()


def test_a_terminal_demo_killed_with_sigkill_is_replaced_by_the_windows_own(qtbot, make_window,
                                                                           qapp, tmp_path):
    """The real 'medsnap demo' process: the window signs in on it, then it is killed -9 (no
    chance to tidy up) and the window's next sync starts the demo here and goes online."""
    import os
    import signal
    import subprocess
    import sys

    home = tmp_path / "home"
    env = {**os.environ, "MEDSNAP_HOME": str(home)}
    terminal = subprocess.Popen([str(Path(sys.executable).parent / "medsnap"), "demo",
                                 "--port", "0"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ui = attach_messaging(make_window(1280, 800), home=home)  # the demo's own keyring file
    ui.binding.demo_port = 0
    try:
        shown = []
        for line in terminal.stdout:
            shown.append(line)
            if "Serving until Ctrl+C" in line:
                break
        assert "Serving until Ctrl+C" in "".join(shown), "".join(shown)
        ada = COLLEAGUES[0]
        with qtbot.waitSignal(ui.binding.signed_in, timeout=60000):
            ui.binding.sign_in(ada.staff_id, ada.passphrase)
        _online_with_colleagues(qtbot, ui)
        terminal_url = ui.binding.session.transport.url
        assert ui.binding.demo is None  # the terminal serves it

        terminal.send_signal(signal.SIGKILL)
        terminal.wait(timeout=30)
        restarts: list[bool] = []  # the binding's news that it started the demo again
        ui.binding.demo_restarted.connect(lambda: restarts.append(True))
        ui.binding.sync()  # as F5 does
        qtbot.waitUntil(lambda: ui.binding.demo is not None, timeout=60000)
        _online_with_colleagues(qtbot, ui)
        assert ui.binding.session.transport.url == ui.binding.demo.url != terminal_url
        assert restarts
    finally:
        ui.shutdown()
        if terminal.poll() is None:
            terminal.kill()
            terminal.wait(timeout=30)
        terminal.stdout.close()
