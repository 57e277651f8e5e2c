"""Locking the window: idle lock by the policy clock, Lock now (Ctrl+L), unlock with the
passphrase; the lock screen shows no patient content and the decrypted letter is dropped."""

from __future__ import annotations

import gc
import weakref

import pytest
from ui_support import open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import PASSPHRASE, running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Lena Lock", "Consultant"), ("Sam Sender", "Registrar")) as ward:
        yield ward


@pytest.fixture
def locked_ui(make_window, ward, qapp, qtbot, grey_png):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore,
                          sync_interval_ms=300)
    yield window, ui
    ui.shutdown()


def _send_to_lena(ward) -> None:
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from medsnap.messaging.sync import SyncWorker
    from send_receive_support import messaging_fixtures

    sam = sign_in(Workstation(ward.home), ward.staff["Sam Sender"], PASSPHRASE,
                  keystore=ward.keystore)
    outbox = Outbox(sam.profile.outbox_path)
    try:
        queue_letter(sam, outbox, messaging_fixtures.clean_png(7), [ward.staff["Lena Lock"]],
                     note="bed 4 obs chart", declaration="consent-verbal")
        assert SyncWorker(sam, outbox).run_once().sent
    finally:
        outbox.close()
        sam.close()


def test_idle_lock_clears_the_view_and_the_viewers_memory(qtbot, locked_ui, ward, grey_png):
    window, ui = locked_ui
    _send_to_lena(ward)
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        sign_in_through_first_run(qtbot, ui, ward.staff["Lena Lock"])
    open_and_wait(qtbot, window, grey_png)
    document = window.document
    row = ui.inbox_view.tree.topLevelItem(0)
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        ui.inbox_view.tree.itemActivated.emit(row, 0)
    letter_ref = weakref.ref(ui.viewer.letter)
    pixmap_item = ui.viewer.view.pixmap_item
    assert pixmap_item is not None and ui.viewer.isVisible()

    ui.idle.timeout_minutes = 0.5 / 60  # half a second without input
    ui.idle.timer.setInterval(100)
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        pass
    lock = ui.lock_screen
    assert lock.isVisible() and lock.geometry() == window.rect()
    assert not window.canvas.isVisible() and not ui.viewer.isVisible()
    assert not ui.send_dock.isVisible() and not ui.messages_dock.isVisible()
    assert ui.viewer.letter is None and ui.viewer.view.pixmap_item is None
    assert ui.viewer.view.scene().items() == []
    assert ui.inbox_view.tree.topLevelItemCount() == 0 and ui.inbox_view.items == {}
    del pixmap_item, row
    gc.collect()
    assert letter_ref() is None, gc.get_referrers(letter_ref())
    assert ui.binding.session.keys.is_locked
    assert not window.actions.open.isEnabled() and not window.actions.preview.isEnabled()
    assert not ui.lock_action.isEnabled()  # no shortcut acts behind the lock screen
    shown = " ".join(w.text() for w in lock.findChildren(type(lock.who)))
    assert "bed 4" not in shown and "Sam" not in shown
    assert window.windowTitle() == "MedSnap"  # the taskbar names no file either

    # a wrong passphrase is refused in plain words; the right one brings everything back
    lock.passphrase.setText("not my passphrase at all 1")
    with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000):
        QTest.keyClick(lock.passphrase, Qt.Key.Key_Return)
    assert lock.isVisible() and lock.error.text() and "Traceback" not in lock.error.text()
    lock.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
        QTest.mouseClick(lock.unlock, Qt.MouseButton.LeftButton)
    assert not lock.isVisible() and window.canvas.isVisible()
    assert window.document is document  # nothing drawn is lost by a lock
    assert window.windowTitle().startswith(window.source_name)
    assert window.actions.open.isEnabled() and window.actions.preview.isEnabled()
    qtbot.waitUntil(lambda: ui.inbox_view.tree.topLevelItemCount() == 1, timeout=10000)


def test_lock_now_with_ctrl_l_and_switch_user(qtbot, locked_ui, ward):
    window, ui = locked_ui
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert ui.lock_screen.isVisible() and ui.binding.session.keys.is_locked
    QTest.mouseClick(_switch_button(ui), Qt.MouseButton.LeftButton)
    assert ui.first_run.isVisible() and ui.binding.session is None
    assert ui.first_run.staff_id.text() == ""
    QTest.mouseClick(ui.first_run.later, Qt.MouseButton.LeftButton)  # annotate without a session
    assert window.canvas.isVisible() and window.actions.open.isEnabled()
    assert not ui.lock_screen.isVisible()


def test_switch_user_from_the_menu_then_just_annotate_opens_the_editor(qtbot, locked_ui, ward):
    """NU5: Messages ▸ Switch user, then Just annotate for now, showed the previous
    clinician's lock screen ("Locked for Dr …"), and Switch user there led back to it."""
    window, ui = locked_ui
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    ui.switch_action.trigger()
    assert ui.first_run.isVisible() and ui.binding.session is None
    QTest.mouseClick(ui.first_run.later, Qt.MouseButton.LeftButton)
    assert not ui.lock_screen.isVisible() and not ui.first_run.isVisible()
    assert window.canvas.isVisible() and window.actions.open.isEnabled()
    assert "Sam Sender" not in window.windowTitle()


def _switch_button(ui):
    from PySide6.QtWidgets import QPushButton

    [button] = [b for b in ui.lock_screen.findChildren(QPushButton) if b.text() == "Switch user"]
    return button


def test_idle_clock_restarts_on_input(qtbot, locked_ui, ward):
    window, ui = locked_ui
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    ui.idle.timeout_minutes = 1.5 / 60
    ui.idle.timer.setInterval(100)
    for _ in range(10):  # keep moving the mouse for 2 s, longer than the timeout: no lock
        QTest.mouseMove(window.canvas.viewport())
        QTest.mouseMove(window, window.rect().center())
        qtbot.wait(200)
        assert not ui.lock_screen.isVisible()
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        pass


def test_lock_now_before_signing_in_does_nothing(qtbot, locked_ui):
    window, ui = locked_ui
    QTest.mouseClick(ui.first_run.later, Qt.MouseButton.LeftButton)
    ui.lock_action.trigger()
    assert not ui.lock_screen.isVisible() and window.canvas.isVisible()


def _count_scrypt(monkeypatch) -> list[str]:
    """Record the thread of every scrypt derivation (the real one still runs)."""
    import threading

    from medsnap.crypto.age import scrypt

    threads: list[str] = []
    real = scrypt._wrap_key

    def counted(passphrase, salt, log_n):
        threads.append(threading.current_thread().name)
        assert log_n == 18  # the policy's work factor, not lowered for speed
        return real(passphrase, salt, log_n)

    monkeypatch.setattr(scrypt, "_wrap_key", counted)
    return threads


def _unlock_watching_the_ui(qtbot, ui, passphrase: str, signal) -> tuple[list[float], float]:
    """Type the passphrase, press Enter; return the UI thread's gaps and the time taken."""
    import time

    from PySide6.QtCore import QTimer

    lock = ui.lock_screen
    gaps, last = [], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    lock.passphrase.setText(passphrase)
    start = time.perf_counter()
    with qtbot.waitSignal(signal, timeout=20000):
        QTest.keyClick(lock.passphrase, Qt.Key.Key_Return)
        # at once: the field is empty and locked, the screen says it is working
        assert lock.passphrase.text() == "" and not lock.passphrase.isEnabled()
        assert lock.error.text() == "Unlocking…" and lock.busy.isVisible()
        assert not lock.unlock.isEnabled()
        timer.start()
    elapsed = time.perf_counter() - start
    timer.stop()
    return gaps, elapsed


def test_unlock_is_one_scrypt_off_the_ui_thread_and_keeps_the_session(
        qtbot, locked_ui, ward, monkeypatch):
    import threading

    window, ui = locked_ui
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    session = ui.binding.session
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        ui.lock_action.trigger()
    lock = ui.lock_screen
    threads = _count_scrypt(monkeypatch)

    gaps, _elapsed = _unlock_watching_the_ui(qtbot, ui, "not my passphrase at all 1",
                                             ui.binding.auth_failed)
    assert lock.error.text().startswith("Wrong passphrase.") and lock.isVisible()
    assert lock.passphrase.text() == "" and lock.passphrase.isEnabled()
    assert not lock.busy.isVisible() and ui.binding.session.keys.is_locked
    assert len(threads) == 1

    gaps, elapsed = _unlock_watching_the_ui(qtbot, ui, PASSPHRASE, ui.binding.signed_in)
    assert len(threads) == 2  # exactly one derivation for the unlock
    assert threading.main_thread().name not in threads
    assert ui.binding.session is session and not session.keys.is_locked  # no new sign-in
    assert not lock.isVisible() and window.canvas.isVisible()
    # the window kept running while scrypt (about 0.5-1 s) worked on the other thread
    assert len(gaps) >= 5 and max(gaps) < max(0.25, elapsed / 3), (max(gaps), elapsed)
    events = [e["event"] for e in session.audit.entries()][-3:]
    assert events == ["lock", "unlock_refused", "unlock"]


def test_wrong_passphrase_after_switch_user_is_said_on_the_welcome_screen(qtbot, locked_ui,
                                                                          ward):
    """Switch user locks first (the lock screen is shown beneath the welcome screen): the
    refusal goes to the screen that asked, which is usable again."""
    window, ui = locked_ui
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    ui.switch_action.trigger()
    screen = ui.first_run
    assert screen.isVisible()
    screen.staff_id.setText(ward.staff["Lena Lock"])
    screen.passphrase.setText("not my passphrase at all 1")
    with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000) as failed:
        QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
    assert screen.error.text() == failed.args[0] != "Signing in…"
    assert "passphrase" in screen.error.text().lower()
    assert screen.sign_in_button.isEnabled() and screen.demo_button.isEnabled()
    assert screen.enrol_button.isEnabled()
    sign_in_through_first_run(qtbot, ui, ward.staff["Lena Lock"])  # and then the right one
    assert not screen.isVisible() and not ui.lock_screen.isVisible()


def test_after_unlocking_the_keyboard_is_the_pictures(qtbot, locked_ui, ward, grey_png):
    from PySide6.QtWidgets import QApplication

    window, ui = locked_ui
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    open_and_wait(qtbot, window, grey_png)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.canvas.setFocus()
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        ui.lock_action.trigger()
    zoom = window.status.zoom.currentText()
    ui.lock_screen.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
        QTest.keyClick(ui.lock_screen.passphrase, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is window.canvas
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_R)  # R: the rectangle tool
    assert window.canvas.tool.tool_id == "rectangle"
    assert window.status.zoom.currentText() == zoom


def test_ctrl_l_locks_from_the_message_viewer(qtbot, locked_ui, ward):
    """The viewer is a window of its own: Ctrl+L there locked nothing, and the letter stayed
    on screen (a tester's zoom had put the keyboard in it)."""
    window, ui = locked_ui
    _send_to_lena(ward)
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        sign_in_through_first_run(qtbot, ui, ward.staff["Lena Lock"])
    row = ui.inbox_view.tree.topLevelItem(0)
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        ui.inbox_view.tree.itemActivated.emit(row, 0)
    viewer = ui.viewer
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        QTest.keyClick(viewer, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert not viewer.isVisible() and viewer.letter is None
