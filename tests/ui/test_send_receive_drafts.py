"""Nothing drawn is lost by a crash: the picture is autosaved as a draft encrypted to the
clinician's own key, and the next sign-in restores it with its annotations; a sent picture's
draft is deleted."""

from __future__ import annotations

import pytest
from ui_support import drag, open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Dora Draft", "Consultant"), ("Rex Reader", "Registrar")) as ward:
        yield ward



def test_a_crash_loses_nothing_and_sending_deletes_the_draft(qtbot, make_window, ward, qapp,
                                                             pattern_png):
    from medsnap.messaging.profile import Workstation

    drafts = Workstation(ward.home).profile(ward.staff["Dora Draft"]).drafts_folder
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    sign_in_through_first_run(qtbot, ui, ward.staff["Dora Draft"])
    open_and_wait(qtbot, window, pattern_png)
    drag(window, "rectangle", (30, 30), (120, 100))
    with qtbot.waitSignal(ui.drafts.saved, timeout=10000):
        ui.drafts.save_now()
    [draft] = list(drafts.glob("*.age"))
    data = draft.read_bytes()
    assert data.startswith(b"age-encryption.org/v1") and b"\x89PNG" not in data
    assert b"rectangle" not in data
    ui.binding.timer.stop()
    ui.idle.stop()
    ui.drafts.timer.stop()  # a crash: nothing more is saved or cleaned up
    ui.drafts.soon.stop()
    ui.binding.wait_for_jobs(5000)
    ui.binding.session.close()

    again = make_window(1100, 760)
    ui2 = attach_messaging(again, home=ward.home, keystore=ward.keystore)
    try:
        with qtbot.waitSignal(ui2.drafts.restored, timeout=20000):
            sign_in_through_first_run(qtbot, ui2, ward.staff["Dora Draft"])
        assert again.document.size == (400, 300)
        [rectangle] = again.document.annotations
        assert type(rectangle).__name__ == "Rectangle"
        assert again.undo_stack.count() == 1  # the restored drawing can be undone

        panel = ui2.send_panel
        qtbot.keyClicks(panel.picker.search, "Reader")
        QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        with qtbot.waitSignal(ui2.binding.sent, timeout=20000):
            QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not list(drafts.glob("*.age")), timeout=10000)
    finally:
        ui2.shutdown()
        ui.binding.session = None
        ui.shutdown()


def test_switch_user_puts_the_picture_away_for_its_owner(qtbot, make_window, ward, qapp,
                                                         grey_png):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Dora Draft"])
        qtbot.wait(300)  # a draft left by an earlier test would be restored now
        open_and_wait(qtbot, window, grey_png)
        drag(window, "rectangle", (50, 50), (150, 120))
        drag(window, "text", (60, 200), (60, 200), steps=1)
        QTest.keyClicks(window.text_editor, "typed just before")  # not yet committed
        ui.switch_action.trigger()
        assert window.document is None and window.canvas.document is None
        assert window.canvas.pyramid is None and window.undo_stack.count() == 0
        assert window.windowTitle() == "MedSnap" and not window.actions.preview.isEnabled()
        sign_in_through_first_run(qtbot, ui, ward.staff["Rex Reader"])
        qtbot.wait(500)
        assert window.document is None  # Rex sees nothing of Dora's picture
        assert ui.send_panel.why_not.text().startswith("Open a picture")
        ui.switch_action.trigger()
        with qtbot.waitSignal(ui.drafts.restored, timeout=20000):
            sign_in_through_first_run(qtbot, ui, ward.staff["Dora Draft"])
        assert window.document.size == (400, 300) and len(window.document.annotations) == 2
        assert any(getattr(a, "text", "") == "typed just before"
                   for a in window.document.annotations)  # the text being typed was kept
    finally:
        ui.shutdown()
