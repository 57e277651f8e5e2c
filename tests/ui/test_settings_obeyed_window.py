"""The window obeys the user's own Lock after idle and Keep messages (tester report A): both
were read without the user's choices, so a 1-minute lock saved in Edit > Settings locked
after the default 5 minutes, and Keep messages had no effect. A policy value still wins.
Within what a shared ward login allows (review): the user's lock time only shortens the lock,
and the user's Keep messages deletes only letters already opened.
Real window, real settings dialog and file, real endpoint process."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from send_receive_support import PASSPHRASE, running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging
from medsnap.ui.settings_dialog import SettingsDialog


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Ida Idle", "Consultant"), ("Sol Sender", "Registrar")) as ward:
        yield ward


@pytest.fixture
def signed_in(qtbot, make_window, ward):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Ida Idle"])
        # no stray input event (the offscreen platform's) restarts the idle clock meanwhile
        QApplication.instance().removeEventFilter(ui.idle)
        yield window, ui
    finally:
        ui.shutdown()


def _save_settings(qtbot, window, **values: int | bool) -> None:
    """Edit > Settings..., the values typed in (or ticked), Save clicked."""
    window.actions.settings.trigger()
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    for key, value in values.items():
        editor = dialog.editors[key]
        editor.setChecked(value) if isinstance(value, bool) else editor.setValue(value)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def _audit(ui) -> list[dict]:
    path = ui.binding.session.profile.audit_path
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _sync_now(qtbot, ui) -> None:
    """One whole sync started now (after one in flight, which may predate a choice)."""
    qtbot.waitUntil(lambda: not ui.binding._syncing, timeout=20000)
    with qtbot.waitSignal(ui.binding.inbox_changed, timeout=20000):
        ui.binding.sync()


def _idle_for(ui, seconds: float) -> None:
    ui.binding.session.touch(now=time.monotonic() - seconds)


def test_the_users_lock_after_idle_locks_the_window(qtbot, signed_in, settings_path):
    window, ui = signed_in
    _save_settings(qtbot, window, lock_timeout_minutes=1)
    assert "lock_timeout_minutes=1" in open(settings_path, encoding="utf-8").read()
    _idle_for(ui, 50)  # under a minute: not yet
    ui.idle.timer.setInterval(50)
    qtbot.wait(300)
    assert not ui.lock_screen.isVisible() and ui.binding.is_unlocked
    _idle_for(ui, 61)  # (the default 5 minutes have not passed)
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        pass
    assert ui.lock_screen.isVisible()
    last = _audit(ui)[-1]
    assert last["event"] == "lock" and last["detail"]["why"] == "idle"


def test_a_longer_lock_choice_does_not_lengthen_the_lock(qtbot, signed_in):
    """One login, several clinicians (review): one person's 120 minutes kept everyone's keys
    open that long. The user's choice only shortens the lock: the default 5 minutes stand."""
    window, ui = signed_in
    _save_settings(qtbot, window, lock_timeout_minutes=120)
    _idle_for(ui, 4 * 60)
    assert not ui.binding.lock_if_idle()
    _idle_for(ui, 5 * 60)
    assert ui.binding.lock_if_idle()


def test_a_policy_lock_time_is_the_longest(qtbot, signed_in, tmp_path, monkeypatch):
    window, ui = signed_in
    policy = tmp_path / "policy.toml"
    policy.write_text("lock_timeout_minutes = 10\n", encoding="utf-8")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    window.settings.setValue("lock_timeout_minutes", 30)  # stored before the policy came
    _idle_for(ui, 9 * 60)
    assert not ui.binding.lock_if_idle()
    window.settings.setValue("lock_timeout_minutes", 2)  # shorter than IT's: it counts
    _idle_for(ui, 1 * 60)
    assert not ui.binding.lock_if_idle()
    _idle_for(ui, 2 * 60)
    assert ui.binding.lock_if_idle()


def _letter_from_sol(ward, seed: int) -> None:
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from medsnap.messaging.sync import SyncWorker
    from send_receive_support import messaging_fixtures

    sol = sign_in(Workstation(ward.home), ward.staff["Sol Sender"], PASSPHRASE,
                  keystore=ward.keystore)
    outbox = Outbox(sol.profile.outbox_path)
    try:
        queue_letter(sol, outbox, messaging_fixtures.clean_png(seed), [ward.staff["Ida Idle"]],
                     note="obs chart", declaration="consent-verbal", expires_days=60)
        assert SyncWorker(sol, outbox).run_once().sent
    finally:
        outbox.close()
        sol.close()


def test_the_users_keep_messages_deletes_older_opened_letters(qtbot, signed_in, ward):
    window, ui = signed_in
    _letter_from_sol(ward, 5)
    ui.binding.timer.stop()  # only the syncs below
    _sync_now(qtbot, ui)
    inbox_path = ui.binding.session.profile.inbox_path
    with sqlite3.connect(inbox_path) as db:  # received two days ago
        db.execute("UPDATE inbox SET received_at = received_at - 2 * 86400")
    db.close()
    _sync_now(qtbot, ui)  # the default (30 days) keeps it
    with sqlite3.connect(inbox_path) as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 1
    db.close()

    _save_settings(qtbot, window, retention_days=1)
    _sync_now(qtbot, ui)  # nobody has opened it: one person's choice does not delete it
    with sqlite3.connect(inbox_path) as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 1
        (item_id,) = db.execute("SELECT id FROM inbox").fetchone()
    db.close()

    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):  # opened in the window
        ui.binding.open_item(item_id)
    _sync_now(qtbot, ui)
    with sqlite3.connect(inbox_path) as db:
        assert db.execute("SELECT count(*) FROM inbox").fetchone()[0] == 0
    db.close()
    deleted = [e for e in _audit(ui) if e["event"] == "deleted"]
    assert deleted and deleted[-1]["detail"]["why"] == "retention"


def test_the_users_no_saved_copies_hides_save_in_the_letter_viewer(qtbot, signed_in, ward):
    window, ui = signed_in
    _save_settings(qtbot, window, allow_save_copy=False)
    assert not window.actions.save_copy.isVisible()  # the editor obeyed already
    _letter_from_sol(ward, 8)
    ui.binding.timer.stop()
    _sync_now(qtbot, ui)
    row = ui.inbox_view.tree.topLevelItem(0)
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        ui.inbox_view.tree.itemActivated.emit(row, 0)
    assert ui.viewer.isVisible() and ui.viewer.letter is not None
    assert not ui.viewer.save.isVisible()
