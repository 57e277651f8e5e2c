"""Send, then lock at once (Ctrl+Enter, Ctrl+L, walk away): whatever the lock cut short, what
the window says after unlocking matches the outbox. NU5: the letter had been sealed and queued
(and went after the unlock), yet the panel said "MedSnap is locked…", Send was live again and
the picture counted as unsent: the next press sent it twice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import PASSPHRASE, choose_colleague, running_ward, signed_in_window
from ui_support import drag


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Lou Locks", "Registrar"), ("Rae Reads", "Consultant")) as ward:
        yield ward


def _outbox(ward, name: str) -> list:
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation

    outbox = Outbox(Workstation(ward.home).profile(ward.staff[name]).outbox_path)
    try:
        return outbox.items()
    finally:
        outbox.close()


@pytest.mark.parametrize("lock_after_ms", [0, 15, 40, 80, 160])
def test_what_the_panel_says_after_unlock_matches_the_outbox(qtbot, make_window, ward,
                                                             grey_png, lock_after_ms):
    with signed_in_window(qtbot, make_window, ward, "Lou Locks", grey_png) as (window, ui):
        panel = ui.send_panel
        drag(window, "rectangle", (40, 40), (140, 110))
        choose_colleague(qtbot, panel, "Rae")
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        before = len(_outbox(ward, "Lou Locks"))
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        qtbot.wait(lock_after_ms)
        ui.lock_action.trigger()
        qtbot.wait(1500)  # whatever was under way ends while locked
        ui.lock_screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            QTest.keyClick(ui.lock_screen.passphrase, Qt.Key.Key_Return)
        qtbot.wait(300)
        queued = len(_outbox(ward, "Lou Locks")) - before
        said = panel.outcome.text()
        if queued:
            assert queued == 1
            assert "locked" not in said.lower(), said
            assert "Rae Reads" in said, said
            assert "•" not in window.windowTitle()  # counts as sent: no "unsent" question
            assert not panel.send.isEnabled()
        else:
            assert "nothing was sent" in said.lower(), said
            assert "•" in window.windowTitle()


def test_a_lock_just_after_the_letter_was_queued_still_counts_it_sent(qtbot, make_window,
                                                                       ward, grey_png,
                                                                       monkeypatch):
    """The tester's case, made certain: the lock lands after the letter is in the outbox and
    before the Sent list's note is kept (which needs the keys)."""
    import threading

    from medsnap.messaging import sent_notes

    reached, go_on = threading.Event(), threading.Event()
    real = sent_notes.keep_for_sender

    def held(*args, **kwargs):
        reached.set()
        go_on.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(sent_notes, "keep_for_sender", held)
    with signed_in_window(qtbot, make_window, ward, "Lou Locks", grey_png) as (window, ui):
        panel = ui.send_panel
        drag(window, "rectangle", (40, 40), (140, 110))
        choose_colleague(qtbot, panel, "Rae")
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        before = len(_outbox(ward, "Lou Locks"))
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(reached.is_set, timeout=20000)
        ui.lock_action.trigger()
        go_on.set()
        qtbot.wait(1000)
        ui.lock_screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            QTest.keyClick(ui.lock_screen.passphrase, Qt.Key.Key_Return)
        assert len(_outbox(ward, "Lou Locks")) == before + 1
        qtbot.waitUntil(lambda: "Rae Reads" in panel.outcome.text(), timeout=5000)
        assert "locked" not in panel.outcome.text().lower()
        assert "•" not in window.windowTitle() and not panel.send.isEnabled()
        from medsnap.ui.inbox_rows import PREVIEW_ROLE
        from medsnap.ui.outbox_view import NOTE_NOT_KEPT

        ui.binding.sync()
        qtbot.waitUntil(lambda: ui.outbox_view.tree.topLevelItemCount() > 0, timeout=20000)
        words = ui.outbox_view.tree.topLevelItem(0).data(0, PREVIEW_ROLE)
        assert words != NOTE_NOT_KEPT  # the note was kept with the key taken before the lock
