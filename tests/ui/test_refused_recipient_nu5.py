"""Sending to a colleague IT has disabled, on the real window (NU5): the outcome said nothing
was sent, yet the note and the declaration were cleared (to be retyped), Sent offered Retry
for a refusal every retry repeats, and the To list still offered the colleague unmarked."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import (choose_colleague, disable_clinician, no_draft_left,
                                  running_ward, signed_in_window)
from ui_support import drag

NOTE = "wound edge at 3 o'clock: review please"


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Chloe Sender", "Registrar"), ("Dev Gone", "FY2"),
                      ("Kim Other", "Nurse")) as ward:
        yield ward


def test_a_refused_send_keeps_the_note_offers_no_retry_and_marks_the_colleague(
        qtbot, make_window, ward, grey_png):
    with signed_in_window(qtbot, make_window, ward, "Chloe Sender", grey_png) as (window, ui):
        try:
            panel = ui.send_panel
            drag(window, "rectangle", (40, 40), (200, 150))
            choose_colleague(qtbot, panel, "Gone")
            disable_clinician(ward, "Dev Gone")  # IT disables him; the list still has him
            panel.note.setPlainText(NOTE)
            panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
            panel.priority.setCurrentIndex(panel.priority.findData("urgent"))
            with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
                QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
            assert sent.args[1] == "failed"
            outcome = panel.outcome.text()
            assert outcome.startswith("Not sent to Dev Gone") and "Nothing was sent" in outcome

            # (a) nothing was sent: nothing to retype, and the picture counts as unsent
            assert panel.note.toPlainText() == NOTE
            assert panel.declaration.currentData() == "direct-care"
            assert panel.priority.currentData() == "urgent"
            assert not window.undo_stack.isClean()  # closing asks; a draft keeps it

            # (b) Sent: the reason and what to do, no Retry that would be refused again
            outbox = ui.outbox_view
            qtbot.waitUntil(lambda: outbox.tree.topLevelItemCount() == 1, timeout=10000)
            outbox.tree.setCurrentItem(outbox.tree.topLevelItem(0))
            assert outbox.tree.topLevelItem(0).text(2) == "Not sent"
            assert outbox.retry_row.isVisibleTo(outbox) and not outbox.retry.isVisibleTo(outbox)
            reason = outbox.reason.text()
            assert "Dev Gone can no longer receive" in reason and "ask IT" in reason

            # (c) the card warns, and the list marks him
            picker = panel.picker
            assert picker.current["display_name"] == "Dev Gone"
            assert picker.warning.isVisible() and "refused at" in picker.warning.text()
            QTest.mouseClick(picker.change, Qt.MouseButton.LeftButton)
            qtbot.keyClicks(picker.search, "Gone")
            assert picker.list.count() == 1
            assert "⚠ cannot receive" in picker.list.item(0).text()

            # another colleague: the kept note and declaration go to them, no retyping
            picker.clear()
            choose_colleague(qtbot, panel, "Kim")
            assert not picker.warning.isVisible()
            with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
                QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
            assert sent.args[1] == "sent", panel.outcome.text()
            assert "Sent to Kim Other" in panel.outcome.text()
        finally:
            no_draft_left(ui)
