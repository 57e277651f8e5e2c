"""What a new user met around the editor (NU5), on the real window: no zoom level without a
picture; the status bar follows the unopened messages and forgets a previous picture's file
name; the file dialogs start in a sensible folder, never the working directory; the message
viewer opens sized to the screen."""

from __future__ import annotations

import pytest
from send_receive_support import PASSPHRASE, messaging_fixtures, running_ward, signed_in_window
from ui_support import open_and_wait


def test_no_zoom_level_is_shown_without_a_picture(qtbot, make_window, grey_png):
    window = make_window(1000, 700)
    zoom = window.status.zoom
    assert zoom.currentText() == ""  # it said "10%"
    window.resize(900, 650)  # the empty canvas is fitted again: still no zoom level
    qtbot.wait(50)
    assert zoom.currentText() == ""
    open_and_wait(qtbot, window, grey_png)
    assert zoom.currentText().endswith("%") and zoom.currentText() != "%"
    window.close_document()
    assert zoom.currentText() == ""


# the status bar --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ward():
    with running_ward(("Uma Sender", "Registrar"), ("Vic Reader", "Consultant")) as ward:
        yield ward


def send_from(ward, sender: str, to: str, seed: int, priority: str = "normal") -> None:
    """A colleague's message, sealed and uploaded by the engine on the same workstation."""
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
                     note=f"seed {seed}", declaration="direct-care",
                     annotations={"priority": priority})
        assert SyncWorker(session, outbox).run_once().sent
    finally:
        outbox.close()
        session.close()


def test_the_arrival_notice_goes_once_a_message_is_opened(qtbot, make_window, ward):
    send_from(ward, "Uma Sender", "Vic Reader", 51)
    send_from(ward, "Uma Sender", "Vic Reader", 52, priority="urgent")
    with signed_in_window(qtbot, make_window, ward, "Vic Reader") as (window, ui):
        status = window.status
        qtbot.waitUntil(lambda: "2 new messages" in status.currentMessage(), timeout=20000)
        assert "1 urgent" in status.currentMessage()
        tree = ui.inbox_view.tree
        row = tree.topLevelItem(0)
        with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
            tree.itemActivated.emit(row, 0)  # as a double-click or Enter on the row
        assert ui.tabs.tabText(0) == "Inbox (1)"
        assert status.currentMessage() == ""  # not "2 new messages…" under "Inbox (1)"
        ui.viewer.close()


def _saved_copy_said(qtbot, window, tmp_path, name: str) -> str:
    path = tmp_path / name
    window.sent_preview.save_to(str(path))
    qtbot.waitUntil(lambda: str(path) in window.status.currentMessage(), timeout=10000)
    return str(path)


def test_a_file_name_in_the_status_bar_is_not_left_for_the_next_picture_or_user(
        qtbot, make_window, ward, grey_png, pattern_png, tmp_path):
    with signed_in_window(qtbot, make_window, ward, "Uma Sender", grey_png) as (window, ui):
        status = window.status
        _saved_copy_said(qtbot, window, tmp_path, "mrs_smith_wound.png")
        open_and_wait(qtbot, window, pattern_png)  # the next picture (maybe the next patient)
        assert "mrs_smith" not in status.currentMessage()

        _saved_copy_said(qtbot, window, tmp_path, "mr_jones_letter.png")
        with qtbot.waitSignal(ui.binding.locked, timeout=5000):
            ui.binding.lock("asked")
        assert status.currentMessage() == ""
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.binding.unlock(PASSPHRASE)

        _saved_copy_said(qtbot, window, tmp_path, "baby_brown.png")
        window.undo_stack.setClean()
        with qtbot.waitSignal(ui.binding.signed_out, timeout=20000):
            ui.switch_user()
        assert status.currentMessage() == ""
        assert ui.first_run.isVisible()
