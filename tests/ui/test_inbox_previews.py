"""The inbox list shows "Urgent" and the start of the note before anything is opened, against
a real endpoint process; the notification says only how many and whether urgent; the
previews leave memory on lock, come back on unlock, and never reach the disk in plaintext."""

from __future__ import annotations

import gc
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import (PASSPHRASE, messaging_fixtures, running_ward,
                                  sign_in_through_first_run)

from medsnap.messaging.inbox_preview import Preview
from medsnap.ui.inbox_rows import URGENT_ROLE
from medsnap.ui.inbox_view import NOT_YET_OPENED, URGENT_NOTIFICATION, notification_text
from medsnap.ui.messaging_window import attach_messaging

URGENT_NOTE = "query fracture L wrist\nFOOSH at 14:10, anatomical snuffbox tender"
ROUTINE_NOTE = "routine: repeat bloods tomorrow"


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Una Urgent", "Registrar"), ("Ravi Reader", "Consultant")) as ward:
        yield ward


def _send(ward, seed: int, note: str, priority: str) -> bytes:
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from medsnap.messaging.sync import SyncWorker

    una = sign_in(Workstation(ward.home), ward.staff["Una Urgent"], PASSPHRASE,
                  keystore=ward.keystore)
    outbox = Outbox(una.profile.outbox_path)
    image = messaging_fixtures.clean_png(seed)
    try:
        queue_letter(una, outbox, image, [ward.staff["Ravi Reader"]], note=note,
                     declaration="direct-care", annotations={"priority": priority})
        assert SyncWorker(una, outbox).run_once().sent
    finally:
        outbox.close()
        una.close()
    return image


def _rows(ui) -> list:
    tree = ui.inbox_view.tree
    return [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]


def _shown(ui) -> dict[str, tuple[bool, str]]:
    return {ui.inbox_view.preview_of(r): (bool(r.data(0, URGENT_ROLE)), r.text(0))
            for r in _rows(ui)}


def _live_previews() -> list:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Preview)]


@pytest.fixture
def reader_ui(make_window, ward, qapp, qtbot):
    window = make_window(1200, 800)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore,
                          sync_interval_ms=300)
    yield window, ui
    ui.shutdown()


def test_list_shows_urgent_and_the_note_before_opening(qtbot, reader_ui, ward):
    window, ui = reader_ui
    image = _send(ward, 41, URGENT_NOTE, "urgent")
    _send(ward, 42, ROUTINE_NOTE, "normal")
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        sign_in_through_first_run(qtbot, ui, ward.staff["Ravi Reader"])
    qtbot.waitUntil(lambda: len(_rows(ui)) == 2, timeout=10000)
    assert _shown(ui) == {"query fracture L wrist": (True, "● Una Urgent"),
                          ROUTINE_NOTE: (False, "● Una Urgent")}
    assert all(item.state == "verified" for item in ui.inbox_view.items.values())  # unopened
    # newest first by the time shown; an urgent one is marked, not floated (see nu4 tests)
    shown_times = [ui.inbox_view.items[r.data(0, Qt.ItemDataRole.UserRole)].verdict["issued_at"]
                   for r in _rows(ui)]
    assert shown_times == sorted(shown_times, reverse=True)

    # the notification: how many and how many urgent; no sender, no note
    banner = ui.inbox_view.banner.text()
    assert banner == "2 new messages from colleagues, 1 urgent"
    assert window.status.currentMessage() == banner
    assert not any(word in banner for word in ("Una", "wrist", "bloods"))

    # nothing of the note or the image in plaintext anywhere in the profiles
    markers = [*messaging_fixtures.markers_of(image), b"fracture L wrist", b"snuffbox",
               ROUTINE_NOTE.encode()]
    assert messaging_fixtures.scan_for_plaintext([ward.home], markers) == []

    # lock: no preview on screen or in memory; unlock: decrypted again for the list
    assert len(_live_previews()) >= 2  # the control: the scan sees them while unlocked
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        ui.lock_action.trigger()
    assert _rows(ui) == [] and ui.inbox_view.items == {}
    # a check for messages still running at the lock drops its previews when it reports
    qtbot.waitUntil(lambda: _live_previews() == [], timeout=5000)
    assert window.status.currentMessage() == ""  # the notice is not left on screen
    ui.lock_screen.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
        QTest.keyClick(ui.lock_screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_rows(ui)) == 2, timeout=10000)
    assert _shown(ui)["query fracture L wrist"] == (True, "● Una Urgent")

    # one more urgent message: the notification says so, still naming nobody
    _send(ward, 43, "second film: scaphoid views", "urgent")
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        pass
    assert ui.inbox_view.banner.text() == URGENT_NOTIFICATION


def test_a_message_stored_before_previews_shows_a_hint_until_opened(qtbot, reader_ui, ward):
    window, ui = reader_ui
    _send(ward, 44, "bed 3: is this ECG new AF?", "normal")  # runs alone too
    sign_in_through_first_run(qtbot, ui, ward.staff["Ravi Reader"])
    qtbot.waitUntil(lambda: len(_rows(ui)) >= 1, timeout=10000)
    inbox_path = ui.binding.session.profile.inbox_path
    database = sqlite3.connect(inbox_path)  # as an inbox filled before previews existed
    database.execute("DELETE FROM inbox_preview")
    database.commit()
    database.close()
    ui.sync_action.trigger()
    qtbot.waitUntil(lambda: set(_shown(ui)) == {NOT_YET_OPENED}, timeout=10000)
    row = next(r for r in _rows(ui) if r.text(0).startswith("●"))
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        ui.inbox_view.tree.itemActivated.emit(row, 0)
    note = ui.viewer.letter.note.splitlines()[0]
    qtbot.waitUntil(lambda: note in _shown(ui), timeout=5000)  # kept sealed from now on


def test_a_sync_that_finishes_after_the_lock_shows_nothing(qtbot, reader_ui, ward):
    window, ui = reader_ui
    _send(ward, 45, "bed 5: rash, photo attached", "normal")  # runs alone too
    sign_in_through_first_run(qtbot, ui, ward.staff["Ravi Reader"])
    qtbot.waitUntil(lambda: len(_rows(ui)) >= 1, timeout=10000)
    ui.binding.timer.stop()
    qtbot.waitUntil(lambda: not ui.binding._syncing, timeout=10000)
    ui.binding.sync()
    assert ui.binding.jobs.wait(20000)  # the worker is done; its result not yet delivered
    ui.binding.lock()
    qtbot.wait(300)  # the queued result arrives after the lock
    assert _rows(ui) == [] and ui.inbox_view.items == {} and ui.lock_screen.isVisible()


def test_a_refused_letter_is_never_counted_as_from_a_colleague():
    assert notification_text(3, urgent=1, refused=1) \
        == "2 new messages from colleagues, 1 urgent · a message was refused"
    assert notification_text(1, refused=1) == "A message was refused; the inbox says why"
    assert notification_text(2, refused=2) == "2 messages were refused; the inbox says why"
    assert notification_text(1, urgent=1) == URGENT_NOTIFICATION
