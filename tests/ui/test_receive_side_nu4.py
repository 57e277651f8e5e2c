"""What a new user met on the receiving side (NU4), against a real endpoint process: the inbox
is newest first by the time it shows and does not move when a message is opened; one
double-click opens once; the banner counts every new message; Sent rows tell messages apart
(note, Urgent, details) without keeping the note in plaintext; the viewer closes and zooms
from the keyboard, shows its zoom and says where the record copy went; Switch user returns to
the Inbox."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from send_receive_support import (PASSPHRASE, messaging_fixtures, running_ward,
                                  sign_in_through_first_run)
from ui_support import open_and_wait

from medsnap.messaging.inbox import InboxItem
from medsnap.messaging.inbox_preview import Preview
from medsnap.ui.inbox_rows import PREVIEW_ROLE, TIME_ROLE, URGENT_ROLE
from medsnap.ui.inbox_view import InboxView
from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Nia Newuser", "Foundation doctor"), ("Sam Sender", "Registrar"),
                      ("Bo Beta", "Consultant")) as ward:
        yield ward


@pytest.fixture
def ward_window(make_window, ward, qapp):
    made = []

    def factory():
        window = make_window(1366, 740)  # the tester's 1366x768 screen, less a title bar
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore,
                              sync_interval_ms=300)
        made.append(ui)
        return window, ui

    yield factory
    for ui in made:
        ui.shutdown()


def send_from(ward, sender: str, to: str, seed: int, note: str, priority: str = "normal"):
    """A colleague's message, queued and uploaded by the engine on the same workstation."""
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from medsnap.messaging.sync import SyncWorker

    session = sign_in(Workstation(ward.home), ward.staff[sender], PASSPHRASE,
                      keystore=ward.keystore)
    outbox = Outbox(session.profile.outbox_path)
    try:
        queue_letter(session, outbox, messaging_fixtures.clean_png(seed), [ward.staff[to]],
                     note=note, declaration="direct-care", annotations={"priority": priority})
        assert SyncWorker(session, outbox).run_once().sent
    finally:
        outbox.close()
        session.close()


def rows(tree) -> list:
    return [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]


def audit_events(ui, event: str) -> list:
    return [e for e in ui.binding.session.audit.entries() if e["event"] == event]


# A: order ---------------------------------------------------------------------------------
def _item(item_id, issued, received, state="verified", urgent=False) -> InboxItem:
    return InboxItem(item_id, "x", 100, received, received + 86400, state,
                     {"from": f"Dr {item_id}", "issued_at": issued}, None,
                     Preview(f"note {item_id}", "urgent" if urgent else "normal"))


def test_inbox_is_newest_first_by_the_time_shown_and_stays_put_when_opened(qtbot):
    view = InboxView()
    qtbot.addWidget(view)
    now = int(time.time())
    # fetched in another order than written: the older urgent one arrived last
    items = [_item("a", now - 300, now - 10, urgent=True), _item("b", now - 60, now - 200),
             _item("c", now - 120, now - 100)]
    view.show_items(items)
    order = [r.data(0, PREVIEW_ROLE) for r in rows(view.tree)]
    assert order == ["note b", "note c", "note a"]
    times = [r.data(0, TIME_ROLE) for r in rows(view.tree)]
    assert times == sorted(times, reverse=True)  # same day: "HH:MM" sorts as it reads
    assert rows(view.tree)[2].data(0, URGENT_ROLE)  # marked, not floated

    view.tree.setCurrentItem(rows(view.tree)[2])  # the clinician opens the urgent one
    opened = [_item("a", now - 300, now - 10, state="opened", urgent=True), *items[1:]]
    view.show_items(opened)
    assert [r.data(0, PREVIEW_ROLE) for r in rows(view.tree)] == order  # nothing jumped
    assert view.tree.currentItem().data(0, PREVIEW_ROLE) == "note a"  # still where it was


# B, F: one open per double-click; the viewer from the keyboard --------------------------
def test_double_click_opens_once_and_the_viewer_answers_the_keyboard(
        qtbot, ward_window, ward, tmp_path):
    send_from(ward, "Sam Sender", "Nia Newuser", 61, "bed 12: new rash on the forearm")
    window, ui = ward_window()
    sign_in_through_first_run(qtbot, ui, ward.staff["Nia Newuser"])
    tree = ui.inbox_view.tree
    qtbot.waitUntil(lambda: any(r.text(0).startswith("● Sam") for r in rows(tree)),
                    timeout=20000)
    row = next(r for r in rows(tree) if r.text(0).startswith("● Sam"))
    opened_before = len(audit_events(ui, "opened"))
    requests = []
    ui.inbox_view.open_requested.connect(requests.append)
    centre = tree.visualItemRect(row).center()
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        for press in (QTest.mouseClick, QTest.mouseDClick):  # as a mouse sends a double-click
            press(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                  centre)
    qtbot.wait(600)  # a second open would have been asked for by now, and run
    assert len(requests) == 1
    assert ui.binding.jobs.wait(20000)
    qtbot.wait(50)
    assert len(audit_events(ui, "opened")) == opened_before + 1

    viewer = ui.viewer
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow, timeout=5000)
    fitted = viewer.view.zoom()
    assert viewer.zoom_label.text() == f"Zoom {round(fitted * 100)}%"
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.view.zoom() == pytest.approx(fitted * 1.25)
    assert viewer.zoom_label.text() == f"Zoom {round(fitted * 125)}%"
    QTest.keyClick(viewer, Qt.Key.Key_Minus)
    QTest.keyClick(viewer, Qt.Key.Key_Minus)
    assert viewer.view.zoom() == pytest.approx(fitted * 0.8)
    QTest.keyClick(viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.view.fitted and viewer.view.zoom() == pytest.approx(fitted)

    # the record copy: its outcome is said in the viewer, not behind it
    target = tmp_path / "record-copy.png"
    viewer.save_requested.emit(str(target), viewer.letter.message_id)  # the dialog's answer
    qtbot.waitUntil(lambda: "Saved a copy for the record" in viewer.told.text(), timeout=10000)
    assert str(target) in viewer.told.text() and target.read_bytes() == viewer.letter.image

    QTest.keyClick(viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible() and viewer.letter is None
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        tree.itemActivated.emit(next(r for r in rows(tree) if "Sam" in r.text(0)), 0)
    assert viewer.told.text() == ""  # the last message's news is not left on the next one
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow, timeout=5000)
    QTest.keyClick(viewer, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not viewer.isVisible()


# C: the banner counts them all ------------------------------------------------------------
def test_two_messages_a_second_apart_are_counted_as_two(qtbot, ward_window, ward):
    window, ui = ward_window()
    send_from(ward, "Sam Sender", "Bo Beta", 70, "film 70")
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        sign_in_through_first_run(qtbot, ui, ward.staff["Bo Beta"])
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):  # read; the viewer stays
        ui.inbox_view.tree.itemActivated.emit(ui.inbox_view.tree.topLevelItem(0), 0)
    assert not ui.inbox_view.banner.isVisibleTo(ui.inbox_view)
    for seed in (71, 72):
        with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
            send_from(ward, "Sam Sender", "Bo Beta", seed, f"film {seed}")
    assert ui.inbox_view.banner.text() == "2 new messages from colleagues"
    assert window.status.currentMessage() == "2 new messages from colleagues"
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        send_from(ward, "Sam Sender", "Bo Beta", 73, "urgent film", priority="urgent")
    assert ui.inbox_view.banner.text() == "3 new messages from colleagues, 1 urgent"
    ui.inbox_view.tree.itemActivated.emit(ui.inbox_view.tree.topLevelItem(0), 0)
    assert not ui.inbox_view.banner.isVisibleTo(ui.inbox_view)  # read: the count starts again


# D, E, G: the Sent list, at 1366x768; Switch user returns to the Inbox -------------------
def test_sent_rows_tell_messages_apart_and_switch_user_returns_to_the_inbox(
        qtbot, ward_window, ward, grey_png):
    window, ui = ward_window()
    sign_in_through_first_run(qtbot, ui, ward.staff["Sam Sender"])
    open_and_wait(qtbot, window, grey_png)
    notes = [("left wrist, lateral view\nscaphoid tender", "urgent"),
             ("repeat bloods tomorrow", "normal")]
    for note, priority in notes:
        with qtbot.waitSignal(ui.binding.sent, timeout=20000):
            ui.binding.send(window.document, ward.staff["Bo Beta"], note=note,
                            declaration="direct-care", priority=priority)
    tree = ui.outbox_view.tree
    ui.tabs.setCurrentWidget(ui.outbox_view)
    qtbot.waitUntil(lambda: {r.data(0, PREVIEW_ROLE) for r in rows(tree)}
                    >= {"left wrist, lateral view", "repeat bloods tomorrow"}, timeout=20000)
    wrist = next(r for r in rows(tree) if r.data(0, PREVIEW_ROLE) == "left wrist, lateral view")
    bloods = next(r for r in rows(tree) if r.data(0, PREVIEW_ROLE) == "repeat bloods tomorrow")
    assert wrist.data(0, URGENT_ROLE) and not bloods.data(0, URGENT_ROLE)
    tip = wrist.toolTip(0)
    assert "left wrist, lateral view\nscaphoid tender" in tip and "URGENT" in tip
    assert "Patient: Direct care" in tip and "sent " in tip.lower()
    assert all("grey" not in r.toolTip(0) and "grey" not in r.data(0, PREVIEW_ROLE)
               for r in rows(tree))  # never the picture's file name

    # E: the state is never cut short at 1366x768 (it was "Waiting to sen")
    for row in rows(tree):
        state_line = row.data(0, TIME_ROLE)
        assert state_line.endswith(row.text(2))
        room = tree.visualItemRect(row).width() // 2
        assert QFontMetrics(tree.font()).horizontalAdvance(state_line) < room, state_line

    # double-click (or Enter) says all about it below the list
    tree.setCurrentItem(wrist)
    tree.itemActivated.emit(wrist, 0)
    details = ui.outbox_view.details
    assert details.isVisibleTo(ui.outbox_view) and "scaphoid tender" in details.text()

    # what was written is kept only sealed to the sender: nothing of it in plaintext on disk
    assert messaging_fixtures.scan_for_plaintext(
        [ward.home], [b"scaphoid tender", b"repeat bloods tomorrow"]) == []

    ui.switch_action.trigger()
    sign_in_through_first_run(qtbot, ui, ward.staff["Nia Newuser"])
    assert ui.tabs.currentWidget() is ui.inbox_view
    assert rows(ui.outbox_view.tree) == [] or all(
        "scaphoid" not in r.toolTip(0) for r in rows(ui.outbox_view.tree))


def test_a_send_that_ends_after_the_lock_shows_no_note(qtbot, ward_window, ward, grey_png):
    """The Sent rows now carry what was written: none may reach the list behind the lock."""
    window, ui = ward_window()
    sign_in_through_first_run(qtbot, ui, ward.staff["Bo Beta"])
    open_and_wait(qtbot, window, grey_png)
    ui.binding.timer.stop()  # no check for messages of its own meanwhile
    ui.binding.send(window.document, ward.staff["Nia Newuser"], note="bed 9: sealed note",
                    declaration="direct-care", priority="urgent")
    assert ui.binding.local_jobs.wait(20000)  # sealed and queued; not yet reported
    ui.binding.lock()
    qtbot.wait(300)  # the queued result arrives after the lock
    assert ui.binding.jobs.wait(20000)
    qtbot.wait(100)
    assert ui.lock_screen.isVisible()
    assert rows(ui.outbox_view.tree) == [] and ui.outbox_view.items == {}
