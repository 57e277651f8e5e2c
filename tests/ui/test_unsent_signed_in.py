"""Unsent work while signed in: quitting keeps it as the encrypted draft and asks nothing
(nothing is torn down before a close is certain); replacing the picture keeps it as a draft
(test_keep_aside_nu5) and asks only where no draft keeps it (locked, or the draft cannot be
written), and there Discard takes its draft too, so no draft is left that no window item
reaches; Switch user says where the work went."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import running_ward, sign_in_through_first_run
from ui_support import drag, open_and_wait

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Ben Quits", "Consultant"), ("Cara Cancels", "Registrar"),
                      ("Dev Discards", "Consultant"), ("Eve Switches", "Registrar")) as ward:
        yield ward


def _drafts_folder(ward, name: str):
    from medsnap.messaging.profile import Workstation

    return Workstation(ward.home).profile(ward.staff[name]).drafts_folder


def _drafts(ward, name: str) -> list:
    return list(_drafts_folder(ward, name).glob("*.age"))


@pytest.fixture
def annotated(qtbot, make_window, ward, grey_png):
    def make(name: str):
        window = make_window(1100, 760)
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
        sign_in_through_first_run(qtbot, ui, ward.staff[name])
        open_and_wait(qtbot, window, grey_png)
        drag(window, "rectangle", (40, 40), (140, 110))
        made.append(ui)
        return window, ui

    made: list = []
    yield make
    for ui in made:
        ui.shutdown()


def test_quit_signed_in_keeps_the_draft_and_asks_nothing(qtbot, annotated, ward):
    window, ui = annotated("Ben Quits")
    window.actions.quit.trigger()
    assert window.unsaved.box is None  # no "Sign in to have MedSnap keep them" when signed in
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert ui.closed and len(_drafts(ward, "Ben Quits")) == 1


def test_cancel_leaves_the_session_timers_and_lock_as_they_were(qtbot, annotated, ward,
                                                                monkeypatch):
    window, ui = annotated("Cara Cancels")
    session = ui.binding.session
    dialogs = []
    monkeypatch.setattr(window.opener, "choose_file", lambda: dialogs.append(1))
    assert ui.binding.wait_for_jobs(10000)
    folder = _drafts_folder(ward, "Cara Cancels")  # a file: the draft cannot be written,
    shutil.rmtree(folder, ignore_errors=True)  # so replacing the picture asks
    folder.write_bytes(b"")
    window.actions.open.trigger()
    qtbot.waitUntil(lambda: window.unsaved.box is not None, timeout=10000)
    box = window.unsaved.box
    assert box is not None and box.isVisible()
    assert "Sign in" not in box.informativeText()
    QTest.keyClick(box, Qt.Key.Key_Escape)  # Cancel
    qtbot.waitUntil(lambda: not box.isVisible())
    folder.unlink()
    assert dialogs == [] and window.isVisible() and len(window.document.annotations) == 1
    assert ui.binding.session is session and ui.binding.is_unlocked and not ui.closed
    assert ui.binding.timer.isActive() and ui.drafts.timer.isActive()
    assert ui.idle.timer.isActive()
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        ui.lock_action.trigger()  # Lock now still locks, and hides the picture
    assert ui.lock_screen.isVisible() and not window.canvas.isVisible()

    window.close()  # locked: the draft (saved at the lock) keeps it; no name over the lock
    assert window.unsaved.box is None
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert len(_drafts(ward, "Cara Cancels")) == 1


def test_locked_open_asks_and_discard_takes_the_draft_with_the_picture(qtbot, annotated,
                                                                       ward, monkeypatch):
    window, ui = annotated("Dev Discards")
    with qtbot.waitSignal(ui.binding.locked, timeout=5000):
        ui.binding.lock("asked")  # the draft is saved at the lock
    qtbot.waitUntil(lambda: len(_drafts(ward, "Dev Discards")) == 1, timeout=10000)
    dialogs = []
    monkeypatch.setattr(window.opener, "choose_file", lambda: dialogs.append(1))
    window.choose_file()  # as a file dropped on the locked window
    box = window.unsaved.box
    assert "encrypted draft" in box.informativeText()
    discard = next(b for b in box.buttons() if b.text() == "Discard")
    QTest.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert dialogs == [1]
    qtbot.waitUntil(lambda: not _drafts(ward, "Dev Discards"), timeout=5000)


def test_switch_user_says_the_work_is_kept_for_its_author(qtbot, annotated, ward):
    window, ui = annotated("Eve Switches")
    ui.switch_action.trigger()
    assert ui.first_run.isVisible() and window.document is None
    assert "encrypted draft" in ui.first_run.error.text()
    qtbot.waitUntil(lambda: len(_drafts(ward, "Eve Switches")) == 1, timeout=5000)


def test_a_draft_not_reopened_at_sign_in_is_said(qtbot, make_window, ward, grey_png):
    """Signed in over a picture already open, the kept draft is not reopened (it would
    replace that picture), and the status bar says it is kept and when it comes back."""
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Eve Switches"])
        qtbot.waitUntil(lambda: window.document is not None, timeout=10000)  # reopened
        ui.switch_action.trigger()  # kept again, the editor emptied
        ui.first_run.dismiss()  # Just annotate: a picture opened before signing in
        open_and_wait(qtbot, window, grey_png)
        ui.first_run.present_with("")
        sign_in_through_first_run(qtbot, ui, ward.staff["Eve Switches"])
        qtbot.waitUntil(lambda: "1 unsent picture kept" in window.status.currentMessage(),
                        timeout=10000)
        assert not window.document.annotations  # the picture opened stays as it was
    finally:
        ui.shutdown()
