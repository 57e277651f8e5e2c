"""The window against a real endpoint process: annotate -> pick a colleague -> send ->
switch to the colleague -> notification -> open -> verified -> reply; a refused message says
why; a failed send shows the reason and Retry delivers; at most four actions to send."""

from __future__ import annotations

import re

import pytest
from ui_support import drag, open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from send_receive_support import PASSPHRASE, running_ward, sign_in_through_first_run

from medsnap.ui.inbox_view import NOTIFICATION
from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Alice Archer", "Consultant"),
                      ("Bob Baker", "Registrar"),
                      ("Erin Evans", "Nurse")) as ward:
        yield ward


@pytest.fixture
def messaging_window(make_window, ward, qapp):
    made = []

    def factory():
        window = make_window(1200, 800)
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore,
                              sync_interval_ms=300)
        made.append(ui)
        return window, ui

    yield factory
    for ui in made:
        ui.shutdown()


def plain(label) -> str:
    return re.sub(r"<[^>]+>", "", label.text())



def send_in_four_actions(qtbot, ui, surname: str) -> int:
    """The user's actions from an open picture to sent; returns how many were taken."""
    panel = ui.send_panel
    actions = 0
    panel.picker.search.setFocus()  # the keyboard is in To (clicked, or Tab from the picture)
    qtbot.keyClicks(panel.picker.search, surname)  # 1: type part of the name
    actions += 1
    QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)  # 2: Enter takes the top match
    actions += 1
    assert panel.declaration.hasFocus()  # Enter moved on to the next choice
    qtbot.keyClicks(panel.declaration, "Direct")  # 3: choose the declaration by typing
    actions += 1
    assert panel.declaration.currentData() == "direct-care"
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)  # 4: Send
    actions += 1
    assert sent.args[1] == "sent", panel.outcome.text()
    return actions


def test_send_open_verify_and_reply(qtbot, messaging_window, ward, grey_png):
    window, ui = messaging_window()
    sign_in_through_first_run(qtbot, ui, ward.staff["Alice Archer"])
    assert ui.indicator.text().endswith("Online")
    open_and_wait(qtbot, window, grey_png)
    drag(window, "rectangle", (40, 40), (200, 150))  # annotate
    assert len(window.document.annotations) == 1
    ui.send_panel.note.setPlainText("look at the left border")  # typed before the count
    assert send_in_four_actions(qtbot, ui, "Baker") <= 4
    assert "Sent to Bob Baker" in ui.send_panel.outcome.text()
    assert window.document is not None  # the picture stays open

    # switch to the colleague on the same workstation
    ui.switch_action.trigger()
    assert ui.first_run.isVisible() and not ui.binding.is_unlocked
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        sign_in_through_first_run(qtbot, ui, ward.staff["Bob Baker"])
    banner = ui.inbox_view.banner
    assert banner.isVisible() and banner.text() == NOTIFICATION
    assert "Alice" not in banner.text() and "border" not in banner.text()
    [row] = [ui.inbox_view.tree.topLevelItem(i) for i in range(ui.inbox_view.tree.topLevelItemCount())]
    assert row.text(0) == "● Alice Archer" and row.font(0).bold()

    tree = ui.inbox_view.tree
    tree.setCurrentItem(row)
    tree.setFocus()  # opened from the keyboard: Enter in the Inbox list
    with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
        QTest.keyClick(tree, Qt.Key.Key_Return)
    viewer = ui.viewer
    assert viewer.isVisible() and viewer.view.pixmap_item is not None
    assert viewer.letter.sender.staff_id == ward.staff["Alice Archer"]
    assert plain(viewer.verdict).startswith("✓ Verified: signed by Alice Archer and unaltered")
    assert viewer.note.text() == "look at the left border"
    assert "Direct care" in viewer.header.text()
    pixmap = viewer.view.pixmap_item.pixmap()
    assert (pixmap.width(), pixmap.height()) == (400, 300)
    qtbot.waitUntil(lambda: ui.inbox_view.preview_of(ui.inbox_view.tree.topLevelItem(0)) ==
                    "look at the left border", timeout=5000)

    # Reply: the received image in the editor, addressed to the sender
    with qtbot.waitSignal(window.picture_loaded, timeout=15000):
        QTest.mouseClick(viewer.reply, Qt.MouseButton.LeftButton)
    assert not viewer.isVisible() and viewer.letter is None
    assert window.document.size == (400, 300)
    assert ui.send_panel.picker.current["staff_id"] == ward.staff["Alice Archer"]
    # the keyboard is on the picture, not left in the Inbox list (where Enter reopened the
    # viewer): N then Enter places a marker, as the README's keyboard way says
    qtbot.waitUntil(window.canvas.hasFocus, timeout=5000)
    for key in (Qt.Key.Key_N, Qt.Key.Key_Return):
        QTest.keyClick(QApplication.focusWidget(), key)
    qtbot.wait(200)
    assert not viewer.isVisible() and window.canvas.hasFocus()
    assert [a.kind for a in window.document.annotations] == ["marker"]
    window.undo_stack.undo()

    # the sender learns it was read
    ui.switch_action.trigger()
    sign_in_through_first_run(qtbot, ui, ward.staff["Alice Archer"])
    qtbot.waitUntil(lambda: ui.outbox_view.tree.topLevelItemCount() >= 1
                    and ui.outbox_view.tree.topLevelItem(0).text(2) == "Read", timeout=20000)


def test_refused_message_says_why(qtbot, messaging_window, ward, grey_png):
    from medsnap.crypto.letter import seal
    from medsnap.crypto.letter_model import Letter
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from send_receive_support import messaging_fixtures

    import uuid
    sender = sign_in(Workstation(ward.home), ward.staff["Erin Evans"], PASSPHRASE,
                     keystore=ward.keystore)
    try:
        bob = sender.colleague(ward.staff["Bob Baker"])
        sealed = bytearray(seal(Letter(image=messaging_fixtures.clean_png(3),
                                       media_type="image/png", note="tampered"),
                                sender.clinician, [bob], root=sender.root))
        sealed[len(sealed) // 2] ^= 0x01  # altered on the way
        sender.transport.client.send(uuid.uuid4().hex, [ward.staff["Bob Baker"]], bytes(sealed))
    finally:
        sender.close()
    window, ui = messaging_window()
    ui.first_run.staff_id.setText(ward.staff["Bob Baker"])
    with qtbot.waitSignal(ui.binding.new_messages, timeout=20000):
        sign_in_through_first_run(qtbot, ui, ward.staff["Bob Baker"])
    tree = ui.inbox_view.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    [refused] = [r for r in rows if r.text(0) == "⚠ Refused message"]
    qtbot.waitUntil(lambda: "refused" in ui.inbox_view.banner.text(), timeout=10000)
    ui.inbox_view.tree.itemActivated.emit(refused, 0)
    viewer = ui.viewer
    assert viewer.isVisible() and viewer.view.pixmap_item is None and viewer.letter is None
    assert plain(viewer.verdict).startswith("✗ Refused: ")
    assert len(plain(viewer.verdict)) > 40 and "Traceback" not in viewer.verdict.text()
    assert not viewer.reply.isVisible() and not viewer.save.isVisible()


def test_offline_queue_then_refused_send_says_why_and_sending_again_delivers(
        qtbot, messaging_window, ward, grey_png):
    from medsnap_endpoint import admin
    from medsnap_endpoint.storage import open_database

    def set_enabled(enabled: bool) -> None:
        database = open_database(ward.endpoint.database_url)
        try:
            admin.set_enabled(database, ward.staff["Erin Evans"], enabled)
        finally:
            database.close()

    window, ui = messaging_window()
    sign_in_through_first_run(qtbot, ui, ward.staff["Alice Archer"])
    open_and_wait(qtbot, window, grey_png)
    panel = ui.send_panel
    qtbot.keyClicks(panel.picker.search, "Evans")
    QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
    panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    assert sent.args[1] == "sent"

    ward.endpoint.stop()  # the network goes away: annotate and send anyway
    try:
        drag(window, "rectangle", (10, 10), (90, 90))
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
            QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        assert sent.args[1] == "queued" and panel.outcome.text().startswith("Queued")
        assert ui.indicator.text().startswith("● Offline")
        set_enabled(False)  # meanwhile Erin's account is disabled
    finally:
        ward.endpoint.start()
    outbox = ui.outbox_view
    try:
        qtbot.waitUntil(lambda: "Not sent" in states(outbox), timeout=20000)
        assert states(outbox).count("Not sent") == 1, states(outbox)
        assert ui.indicator.text().endswith("Online")
        # a colleague who cannot receive is refused on every retry: none offered (NU5)
        assert not outbox.retry.isVisible() and outbox.reason.text().startswith("Not sent: ")
        assert "disabled" in outbox.reason.text() and "ask IT" in outbox.reason.text()
        assert len(window.document.annotations) == 1  # nothing drawn is lost
        # the panel's fields came back: sending again needs no retyping
        assert panel.declaration.currentData() == "direct-care"
    finally:
        set_enabled(True)
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:  # IT fixed it: send again
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    assert sent.args[1] == "sent", panel.outcome.text()
    assert states(outbox).count("Not sent") == 1


def states(outbox) -> list[str]:
    return [outbox.tree.topLevelItem(i).text(2) for i in range(outbox.tree.topLevelItemCount())]
