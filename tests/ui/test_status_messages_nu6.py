"""Status-bar messages at 1366x768 (NU6): a long one was cut mid-letter ("…messages waiting in
the outbox g"), and "started it again …, messages … go now" stood beside "Offline — messages
wait in the outbox". A message too long is drawn shortened with "…" and whole in the tooltip;
the demo's restart is said in words that agree with the connection word beside it, and (review)
claim no letter sent that the outbox still holds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip
from send_receive_support import (choose_colleague, disable_clinician, no_draft_left,
                                  running_ward, sign_in_through_first_run)
from ui_support import open_and_wait

from medsnap.ui.messaging_window import attach_messaging
from medsnap.ui.status_notices import RESTARTED_CHECKING, restarted_wording

SIZE = (1161, 652)  # MedSnap's own size on a 1366x768 screen (85 %: window_memory)
#: the longest notice there was (the demo's restart, before NU6)
LONG_NOTICE = ("The demo messaging service had stopped; MedSnap started it again on this "
               "computer, and messages waiting in the outbox go now.")


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Sam Status", "Registrar"), ("Dev Gone", "FY2")) as ward:
        yield ward


def test_a_long_message_is_shortened_with_an_ellipsis_and_whole_in_the_tooltip(
        qtbot, make_window, tmp_path):
    window = make_window(*SIZE)
    ui = attach_messaging(window, home=tmp_path, welcome=False)
    try:
        ui.indicator.show_state("The hospital endpoint did not answer.")
        status = window.status
        qtbot.waitUntil(lambda: ui.send_panel is not None, timeout=5000)
        qtbot.wait(200)  # the panels are in, after the first paint
        status.showMessage(LONG_NOTICE, 15000)  # the longest notice there was
        qtbot.wait(50)
        assert status.currentMessage() == LONG_NOTICE  # (compared by receiving_binding)
        shown = status.shown_message()
        rect = status.message_rect()
        assert shown.endswith("…") and LONG_NOTICE.startswith(shown[:-1])
        assert status.fontMetrics().horizontalAdvance(shown) <= rect.width()
        assert rect.right() < ui.indicator.x()  # left of the Offline word, not under it

        # drawn exactly as Qt draws a message that fits: nothing of the cut text shows
        drawn = status.grab(rect).toImage()
        status.showMessage(shown, 15000)
        qtbot.wait(50)
        assert status.shown_message() == shown
        assert status.grab(rect).toImage() == drawn
        status.showMessage(LONG_NOTICE, 15000)

        where = QPoint(rect.left() + 20, rect.center().y())
        QApplication.sendEvent(status, QHelpEvent(QEvent.Type.ToolTip, where,
                                                  status.mapToGlobal(where)))
        qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
        assert QToolTip.text() == LONG_NOTICE
        QToolTip.hideText()

        status.showMessage("Copied the clean picture to the clipboard", 6000)
        assert status.shown_message() == status.currentMessage()  # short: drawn as it is
    finally:
        ui.shutdown()


def test_the_restart_is_said_with_what_the_outbox_still_holds():
    def items(*states):
        return [SimpleNamespace(state=state) for state in states]

    assert restarted_wording(False, items("sent", "read")) == \
        "Demo messaging service started again."  # nothing claimed of letters
    assert restarted_wording(False, items("queued", "queued", "failed", "sent")) == (
        "Demo messaging service started again; 2 messages wait in the outbox, "
        "1 not sent (see Sent).")
    assert restarted_wording(False, items("failed", "failed")) == \
        "Demo messaging service started again; 2 messages not sent (see Sent)."
    assert restarted_wording(True, items("queued")) == (
        "Demo messaging service started again, but MedSnap cannot reach it; "
        "1 message waits in the outbox.")


def test_the_demo_restart_is_said_as_the_connection_word_and_the_outbox_say(
        qtbot, make_window, ward, grey_png):
    window = make_window(*SIZE)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    status, binding, panel = window.status, ui.binding, None
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Sam Status"])
        open_and_wait(qtbot, window, grey_png)
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "Gone")
        disable_clinician(ward, "Dev Gone")  # IT disables him; the list still has him
        ward.endpoint.stop()
        try:
            binding.sync()
            qtbot.waitUntil(lambda: bool(binding.offline), timeout=20000)
            qtbot.waitUntil(lambda: not binding._syncing, timeout=20000)
            panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
            with qtbot.waitSignal(binding.sent, timeout=20000):  # tried, still queued
                QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)

            # the demo started again, but the sync after it cannot reach it (a proxy down)
            binding.demo_restarted.emit()
            assert status.currentMessage() == RESTARTED_CHECKING
            with qtbot.waitSignal(binding.outbox_changed, timeout=20000):
                binding.sync()
            assert status.currentMessage() == (
                "Demo messaging service started again, but MedSnap cannot reach it; "
                "1 message waits in the outbox.")
            assert ui.indicator.text().startswith("● Offline")
        finally:
            ward.endpoint.start()

        # reached: the letter goes to the endpoint, which refuses it (Dev Gone is disabled):
        # it is still in the outbox, and the words do not say it was sent
        binding.demo_restarted.emit()
        with qtbot.waitSignal(binding.outbox_changed, timeout=20000):
            binding.sync()
        qtbot.waitUntil(lambda: not binding.offline, timeout=20000)
        said = status.currentMessage()
        assert said == "Demo messaging service started again; 1 message not sent (see Sent)."
        assert status.shown_message() == said  # whole, at 1366x768
        assert ui.indicator.text().startswith("● Online")
    finally:
        if panel is not None:
            no_draft_left(ui)
        ui.shutdown()
