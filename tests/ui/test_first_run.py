"""First run: nobody signed in -> the welcome screen; Enrol shows the passphrase rule's
reason and signs in with a code from IT; Try the demo starts the embedded endpoint and signs
in as the first demo colleague; "Just annotate" leaves the editor usable."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from send_receive_support import add_clinician, new_endpoint
from ui_support import memory_keystore

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def endpoint():
    server = new_endpoint()
    yield server
    server.stop()


def _window(make_window, home, **options):
    window = make_window(1280, 800)
    ui = attach_messaging(window, home=home, keystore=memory_keystore(), **options)
    return window, ui


def test_first_run_enrol_explains_the_passphrase_rule(qtbot, make_window, endpoint, qapp,
                                                      monkeypatch):
    home = Path(tempfile.mkdtemp(prefix="medsnap-first-"))
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)  # what IT's policy would say
    window, ui = _window(make_window, home)
    try:
        screen = ui.first_run
        assert screen.isVisible() and screen.geometry() == window.rect()
        assert ui.indicator.text() == "Not signed in"
        staff_id, code = add_clinician(endpoint, "Nia Newcomer")
        screen.enrol_staff_id.setText(staff_id)
        screen.code.setText(code)
        screen.show()
        qtbot.wait(20)
        top = screen.mapTo(window, screen.enrol_button.pos()).y()
        screen.new_passphrase.setText("short1")
        assert "at least 12" in screen.strength.text()
        # a hint while typing, not a refusal; and the page does not jump as it appears
        assert screen.strength.text().startswith("Not strong enough yet: ")
        assert "not changed" not in screen.strength.text()
        qtbot.wait(20)
        assert screen.mapTo(window, screen.enrol_button.pos()).y() == top
        QTest.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
        assert screen.isVisible() and not ui.binding.is_unlocked  # nothing spent
        screen.new_passphrase.setText("quiet meadow lamps 81 east")
        screen.repeat.setText("quiet meadow lamps 81 west")
        assert screen.strength.text() == "The two passphrases differ."
        screen.repeat.setText("quiet meadow lamps 81 east")
        assert screen.strength.text() == ""
        with qtbot.waitSignal(ui.binding.signed_in, timeout=30000) as signed:
            QTest.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)
        assert signed.args == ["Nia Newcomer"]
        assert not screen.isVisible() and "Nia Newcomer" in ui.send_panel.who.text()
        qtbot.waitUntil(lambda: ui.indicator.text().endswith("Online"), timeout=10000)
    finally:
        ui.shutdown()


def test_wrong_passphrase_is_refused_in_plain_words(qtbot, make_window, endpoint, qapp):
    home = Path(tempfile.mkdtemp(prefix="medsnap-first-"))
    window, ui = _window(make_window, home)
    try:
        screen = ui.first_run
        screen.staff_id.setText("nobody.here")
        screen.passphrase.setText("some long passphrase 12")
        with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000) as failed:
            QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
        message = failed.args[0]
        assert "Traceback" not in message and "medsnap" not in screen.error.text()
        assert screen.sign_in_button.isEnabled() and screen.passphrase.text() == ""
    finally:
        ui.shutdown()


def test_a_stranger_signing_in_is_pointed_to_enrol_on_the_screen(qtbot, make_window,
                                                                 endpoint, qapp, monkeypatch):
    """It said to run "('medsnap enrol CODE --staff-id ID')" to a clinician in the window."""
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    window, ui = _window(make_window, Path(tempfile.mkdtemp(prefix="medsnap-first-")))
    try:
        screen = ui.first_run
        screen.staff_id.setText("nobody.here")
        screen.passphrase.setText("some long passphrase 12")
        with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000) as failed:
            QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
        assert "medsnap enrol" in failed.args[0]  # the engine's words, for the command line
        shown = screen.error.text()
        assert "medsnap enrol" not in shown and "“First time here? Enrol” on this screen" in shown
    finally:
        ui.shutdown()


def test_try_the_demo_signs_in_and_just_annotate_keeps_the_editor(qtbot, make_window, qapp,
                                                                   grey_png):
    from ui_support import open_and_wait

    home = Path(tempfile.mkdtemp(prefix="medsnap-demo-"))
    window, ui = _window(make_window, home)
    ui.binding.demo_port = 0
    try:
        QTest.mouseClick(ui.first_run.later, Qt.MouseButton.LeftButton)
        assert not ui.first_run.isVisible()
        open_and_wait(qtbot, window, grey_png)  # the editor works with nobody signed in
        assert ui.send_panel.why_not.text() == "Sign in to send."
        QTest.mouseClick(ui.send_panel.sign_in, Qt.MouseButton.LeftButton)
        assert ui.first_run.isVisible()
        with qtbot.waitSignal(ui.binding.signed_in, timeout=60000) as signed:
            QTest.mouseClick(ui.first_run.demo_button, Qt.MouseButton.LeftButton)
        assert signed.args == ["Dr Ada Okafor"]
        [box] = [b for b in window.findChildren(QMessageBox) if b.windowTitle() == "Demo colleagues"]
        assert "violet harbour naps 3 times" in box.text()  # Ben's demo passphrase, on screen
        qtbot.waitUntil(lambda: len(ui.send_panel.picker.entries) == 2, timeout=10000)
        names = {e["display_name"] for e in ui.send_panel.picker.entries}
        assert names == {"Dr Ben Hughes", "Chloe Martin"}
        box.close()
        first = ui.binding.demo  # "Try the demo" again (or in a second window): reused
        with qtbot.waitSignal(ui.binding.demo_started, timeout=60000) as again:
            ui.binding.start_demo()
        assert again.args[0].already_running and again.args[0].url == first.url
        assert ui.binding.demo is first  # the one this window serves, stopped at shutdown
        assert any(f"A demo is already running at {first.url}" in b.text()
                   for b in window.findChildren(QMessageBox))
    finally:
        ui.shutdown()


def test_progress_is_in_the_text_colour_and_only_errors_are_red(qtbot, make_window, endpoint,
                                                                 qapp):
    from PySide6.QtGui import QColor, QPalette

    home = Path(tempfile.mkdtemp(prefix="medsnap-first-"))
    window, ui = _window(make_window, home)
    try:
        screen = ui.first_run
        red = QColor("#b3261e")

        def colour():
            screen.error.ensurePolished()
            return screen.error.palette().color(QPalette.ColorRole.WindowText)

        screen.staff_id.setText("nobody.here")
        screen.passphrase.setText("some long passphrase 12")
        with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000):
            QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
            assert screen.error.text() == "Signing in…"
            assert colour() == screen.palette().color(QPalette.ColorRole.WindowText) != red
        assert colour() == red  # the refusal is an error
    finally:
        ui.shutdown()


def test_no_demo_on_a_workstation_pointed_at_the_hospital(qtbot, make_window, tmp_path,
                                                          monkeypatch):
    """With IT's endpoint set by policy the welcome screen offers Sign in and Enrol only: a
    ward clinician choosing the demo would send real pictures to a service on this PC."""
    policy = tmp_path / "policy.toml"
    policy.write_text('endpoint_url = "https://medsnap.hospital.example"\n')
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    window, ui = _window(make_window, Path(tempfile.mkdtemp()))
    try:
        screen = ui.first_run
        assert screen.isVisible() and screen.sign_in_button.isVisible()
        assert not screen.demo_button.isVisible()
        window.resize(900, 700)  # two cards side by side need less room than three
        qtbot.wait(50)
        assert screen.cards.direction() == screen.cards.Direction.LeftToRight
    finally:
        ui.shutdown()
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(tmp_path / "absent.toml"))
    window, ui = _window(make_window, Path(tempfile.mkdtemp()))
    try:
        assert ui.first_run.demo_button.isVisible()  # nothing configured: the demo is there
    finally:
        ui.shutdown()
