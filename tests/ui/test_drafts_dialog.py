"""Messages ▸ Drafts…: every unsent picture kept for the clinician is listed by name and
colleague, can be reopened (the picture on screen is kept as a draft meanwhile) or deleted
after a question; the list closes when MedSnap locks, and needs a signed-in clinician."""

from __future__ import annotations

import os

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from send_receive_support import (PASSPHRASE, choose_colleague, running_ward,
                                  sign_in_through_first_run, signed_in_window)
from ui_support import drag, open_and_wait

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Dora Lister", "Consultant"), ("Rex Chosen", "Registrar")) as ward:
        yield ward


def _second_draft(ward, owner, folder) -> str:
    """A draft kept earlier (as Switch user or a crash leaves one): a sealed file written
    through the real store, newer than the one on screen."""
    from medsnap.document.model import Document
    from medsnap.imaging import Picture
    from medsnap.messaging.drafts import DraftStore
    from medsnap.ui.draft_keeper import draft_payload

    document = Document(Picture(image=Image.new("RGB", (64, 48), (200, 30, 30)), page=0,
                                page_count=1, source_format="JPEG"))
    draft_id = DraftStore.new_id()
    payload = draft_payload(document, "wound-photo.jpg",
                            {"to": ward.staff["Rex Chosen"], "to_name": "Rex Chosen"})
    DraftStore(folder).save(draft_id, payload, owner)
    later = (folder / f"{draft_id}.age").stat().st_mtime + 5
    os.utime(folder / f"{draft_id}.age", (later, later))
    return draft_id


def _answer_delete(qtbot) -> None:
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click)
            return
        [delete] = [b for b in box.buttons()
                    if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
        delete.click()
    QTimer.singleShot(50, click)


def test_drafts_are_listed_reopened_and_deleted(qtbot, make_window, ward, pattern_png):
    from medsnap.messaging.profile import Workstation

    staff_id = ward.staff["Dora Lister"]
    folder = Workstation(ward.home).profile(staff_id).drafts_folder
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        ui.drafts_action.trigger()  # nobody signed in: said, no list
        assert "Sign in" in window.status.currentMessage()
        sign_in_through_first_run(qtbot, ui, staff_id)
        qtbot.wait(300)
        open_and_wait(qtbot, window, pattern_png)
        drag(window, "rectangle", (30, 30), (120, 100))
        with qtbot.waitSignal(ui.drafts.saved, timeout=10000):
            ui.drafts.save_now()
        on_screen = ui.drafts.draft_id
        older = _second_draft(ward, ui.drafts.owner, folder)

        ui.drafts_action.trigger()
        dialog = ui.drafts_dialog
        qtbot.waitUntil(lambda: dialog.drafts.count() == 2, timeout=10000)
        lines = [dialog.drafts.item(row).text() for row in range(2)]
        assert lines[0].startswith("wound-photo.jpg — to Rex Chosen — kept ")
        assert "on screen now" in lines[1] and "no colleague chosen" in lines[1]
        dialog.drafts.setCurrentRow(1)  # the one on screen: neither opened again nor deleted
        assert not dialog.open_button.isEnabled() and not dialog.delete_button.isEnabled()
        dialog.drafts.setCurrentRow(0)
        assert dialog.open_button.isEnabled()
        with qtbot.waitSignal(ui.drafts.restored, timeout=10000):
            dialog.open_button.click()
        assert window.document.size == (64, 48) and ui.drafts.draft_id == older
        assert ui.send_panel.picker.current["staff_id"] == ward.staff["Rex Chosen"]
        # the picture that was on screen was kept, annotations and all
        qtbot.waitUntil(lambda: len(list(folder.glob("*.age"))) == 2, timeout=10000)

        ui.drafts_action.trigger()
        dialog = ui.drafts_dialog
        qtbot.waitUntil(lambda: dialog.drafts.count() == 2, timeout=10000)
        row = next(r for r in range(2) if "on screen" not in dialog.drafts.item(r).text())
        dialog.drafts.setCurrentRow(row)
        _answer_delete(qtbot)
        dialog.delete_button.click()
        qtbot.waitUntil(lambda: dialog.drafts.count() == 1, timeout=10000)
        assert not (folder / f"{on_screen}.age").exists()
        assert "draft_deleted" in {entry["event"] for entry in ui.binding.session.audit.entries()}

        ui.binding.lock("asked")  # the list of names goes with the keys
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    finally:
        ui.shutdown()


def _draft_on_screen(ui) -> tuple[dict, dict]:
    """The picture on screen as its draft is kept on disk, decrypted: (document, compose)."""
    from medsnap.messaging.drafts import DraftStore
    from medsnap.ui.draft_keeper import read_payload

    session = ui.binding.session
    document, _png, _name, compose = read_payload(DraftStore(
        session.profile.drafts_folder).restore(ui.drafts.draft_id,
                                               session.clinician.encryption_key))
    return document, compose


def test_a_callout_still_being_typed_is_in_the_draft(qtbot, make_window, ward, grey_png):
    """The autosave keeps the words of a callout not yet finished (a crash mid-typing lost
    them), without closing the editor the clinician is typing in."""
    with signed_in_window(qtbot, make_window, ward, "Rex Chosen") as (window, ui):
        qtbot.wait(300)
        open_and_wait(qtbot, window, grey_png)
        with qtbot.waitSignal(ui.drafts.saved, timeout=10000):
            ui.drafts.save_now()
        drag(window, "text", (40, 40), (40, 40), steps=1)
        QTest.keyClicks(window.text_editor, "query sepsis")
        with qtbot.waitSignal(ui.drafts.saved, timeout=10000):
            ui.drafts.save_now()  # as the 30-second timer does
        assert window.text_editor.is_open and window.document.annotations == ()
        document, _compose = _draft_on_screen(ui)
        assert [a.get("text") for a in document["annotations"]] == ["query sepsis"]
        QTest.keyClick(window.text_editor, Qt.Key.Key_Escape)  # finished before closing

        # its only draft is the picture on screen: unlocking does not speak of another
        ui.binding.lock("asked")
        ui.lock_screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.lock_screen.unlock.click()
        qtbot.wait(500)
        assert "kept for you" not in window.status.currentMessage()


def test_the_draft_is_kept_soon_after_a_change_with_the_colleague_chosen_for_it(
        qtbot, make_window, ward, grey_png, pattern_png, monkeypatch):
    """A tester's crash lost an arrow drawn 27 s before it (the 30-second timer alone), and
    the restored picture was addressed to the colleague of the picture before."""
    from medsnap.ui import draft_keeper

    monkeypatch.setattr(draft_keeper, "SOON_AFTER_CHANGE_MS", 400)
    with signed_in_window(qtbot, make_window, ward, "Dora Lister") as (window, ui):
        qtbot.wait(300)
        open_and_wait(qtbot, window, grey_png)
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "Rex")
        assert panel.picker.current["staff_id"] == ward.staff["Rex Chosen"]
        open_and_wait(qtbot, window, pattern_png)
        assert panel.picker.current is None  # not pre-addressed to the last colleague
        drag(window, "arrow", (20, 20), (90, 70))
        with qtbot.waitSignal(ui.drafts.saved, timeout=10000):
            pass  # no explicit save: kept soon after the change
        document, compose = _draft_on_screen(ui)
        assert [a["kind"] for a in document["annotations"]] == ["arrow"]
        assert compose.get("to", "") == ""
