"""Status-bar messages at 1366x768 (NU6): a long one was cut mid-letter ("…messages waiting in
the outbox g"), and "started it again …, messages … go now" stood beside "Offline — messages
wait in the outbox". A message too long is drawn shortened with "…" and whole in the tooltip;
the demo's restart is said in words that agree with the connection word beside it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from send_receive_support import running_ward, sign_in_through_first_run

from medsnap.ui.messaging_binding import DEMO_RESTARTED
from medsnap.ui.messaging_window import attach_messaging
from medsnap.ui.status_notices import RESTARTED_OFFLINE, RESTARTED_ONLINE

SIZE = (1161, 652)  # MedSnap's own size on a 1366x768 screen (85 %: window_memory)


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Sam Status", "Registrar"), ("Tia Other", "Consultant")) as ward:
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
        status.showMessage(DEMO_RESTARTED, 15000)  # the longest notice there was
        qtbot.wait(50)
        assert status.currentMessage() == DEMO_RESTARTED  # (compared by receiving_binding)
        shown = status.shown_message()
        rect = status.message_rect()
        assert shown.endswith("…") and DEMO_RESTARTED.startswith(shown[:-1])
        assert status.fontMetrics().horizontalAdvance(shown) <= rect.width()
        assert rect.right() < ui.indicator.x()  # left of the Offline word, not under it

        # drawn exactly as Qt draws a message that fits: nothing of the cut text shows
        drawn = status.grab(rect).toImage()
        status.showMessage(shown, 15000)
        qtbot.wait(50)
        assert status.shown_message() == shown
        assert status.grab(rect).toImage() == drawn
        status.showMessage(DEMO_RESTARTED, 15000)

        where = QPoint(rect.left() + 20, rect.center().y())
        QApplication.sendEvent(status, QHelpEvent(QEvent.Type.ToolTip, where,
                                                  status.mapToGlobal(where)))
        qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
        assert QToolTip.text() == DEMO_RESTARTED
        QToolTip.hideText()

        status.showMessage("Copied the clean picture to the clipboard", 6000)
        assert status.shown_message() == status.currentMessage()  # short: drawn as it is
    finally:
        ui.shutdown()


def test_the_demo_restart_is_said_as_the_connection_word_says(qtbot, make_window, ward):
    window = make_window(*SIZE)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    status, binding = window.status, ui.binding
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Sam Status"])
        ward.endpoint.stop()
        try:
            binding.sync()
            qtbot.waitUntil(lambda: bool(binding.offline), timeout=20000)
            qtbot.waitUntil(lambda: not binding._syncing, timeout=20000)
            # the binding's notice, then the sync after it (still unreachable: a proxy down)
            binding.notice.emit(DEMO_RESTARTED)
            assert "go now" not in status.currentMessage()
            with qtbot.waitSignal(binding.outbox_changed, timeout=20000):
                binding.sync()
            assert status.currentMessage() == RESTARTED_OFFLINE
            assert ui.indicator.text().startswith("● Offline")
        finally:
            ward.endpoint.start()
        binding.notice.emit(DEMO_RESTARTED)
        with qtbot.waitSignal(binding.outbox_changed, timeout=20000):
            binding.sync()
        qtbot.waitUntil(lambda: not binding.offline, timeout=20000)
        assert status.currentMessage() == RESTARTED_ONLINE
        assert status.shown_message() == RESTARTED_ONLINE  # whole, at 1366x768
    finally:
        ui.shutdown()
