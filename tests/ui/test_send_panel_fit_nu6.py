"""Send stays on screen at 1366x768 in every state of the panel (NU6).

Offline, at MedSnap's own size on a 1366x768 screen (1161x652), the line "Colleagues cannot be
looked up while MedSnap is offline…" and a blank gap under the colleague card pushed Send below
the panel's visible area: the tester had to send with Ctrl+Enter. The fields now scroll and
the Send row stays below them, so no state of the fields can hide it."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from send_receive_support import no_draft_left, running_ward, sign_in_through_first_run
from ui_support import open_and_wait

from medsnap.ui.messaging_window import attach_messaging

#: what MedSnap opens at on a 1366x768 screen (85 % of it: window_memory), and maximised
SIZES = ((1161, 652), (1366, 740))
LONG_OUTCOME = ("Not sent to Rita Ready: the messaging service refused the letter because "
                "the colleague's certificate could not be checked against the hospital's "
                "revocation list just now. Nothing left this computer; the picture and its "
                "annotations are still open. Choose Retry in Sent when it is fixed.")
LONG_NAME = "Dr Alexandra Wolstenholme-Fitzgerald"


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Fay Fitting", "Consultant"), ("Rita Ready", "Ward Sister"),
                      (LONG_NAME, "Consultant Cardiologist")) as ward:
        yield ward


def fully_shown(widget) -> bool:
    """Every pixel of ``widget`` can be painted: not clipped by a scroll area or the dock."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect() \
        and widget.visibleRegion().rectCount() >= 1


@contextmanager
def offline(qtbot, ui, ward):
    """The endpoint stopped: the directory cannot be asked (as at the tester's)."""
    ward.endpoint.stop()
    try:
        ui.binding.load_directory()
        qtbot.waitUntil(lambda: ui.send_panel.picker.offline, timeout=20000)
        yield
    finally:
        ward.endpoint.start()


@pytest.mark.parametrize("size", SIZES)
def test_send_stays_visible_offline_chosen_and_after_a_long_outcome(
        qtbot, make_window, ward, grey_png, size):
    window = make_window(*size)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Fay Fitting"])
        open_and_wait(qtbot, window, grey_png)
        panel = ui.send_panel
        rita = next(e for e in panel.picker.entries if e["display_name"] == "Rita Ready")
        with offline(qtbot, ui, ward):
            qtbot.wait(100)
            assert panel.picker.offline_note.isVisible()
            assert fully_shown(panel.send), "offline, finding a colleague"
            assert fully_shown(panel.preview)

            panel.picker.choose(rita)  # (as a restored draft or a recent colleague)
            panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
            qtbot.wait(100)
            assert panel.send.isEnabled()
            assert fully_shown(panel.send), "offline, a colleague chosen"

            panel.show_outcome(LONG_OUTCOME, ok=False)
            qtbot.wait(100)
            assert fully_shown(panel.send), "a long outcome"
            assert fully_shown(panel.outcome)  # all of it: every wrapped line
            assert panel.outcome.height() >= panel.outcome.heightForWidth(
                panel.outcome.width())
    finally:
        no_draft_left(ui)
        ui.shutdown()


def test_the_offline_line_adds_no_height_to_the_colleague_part(qtbot, make_window, ward):
    """The finding page and the card page share one height (nothing jumps when choosing);
    the offline line took extra room there, a blank gap under the card once chosen."""
    window = make_window(*SIZES[0])
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Fay Fitting"])
        picker = ui.send_panel.picker
        qtbot.wait(50)
        width = picker.pages.width()
        online = picker.pages.heightForWidth(width)  # as tall as it asks to be
        with offline(qtbot, ui, ward):
            qtbot.wait(50)
            assert picker.offline_note.isVisible()
            assert picker.pages.heightForWidth(width) <= online
            note = picker.offline_note
            assert note.height() <= note.fontMetrics().lineSpacing() * 2 + 4  # compact
            assert "cannot be looked up" in note.toolTip()  # the whole why, on hovering
    finally:
        ui.shutdown()


def test_send_names_the_colleague_while_their_card_is_scrolled_away(
        qtbot, make_window, ward, grey_png):
    """The card is in the fields' scroll area, which may be two rows tall: Send, always on
    screen, says who the picture goes to (review of NU6: a wrong-recipient risk)."""
    window = make_window(SIZES[0][0], 480)  # a short window: the fields scroll the most
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Fay Fitting"])
        open_and_wait(qtbot, window, grey_png)
        panel = ui.send_panel
        entries = {e["display_name"]: e for e in panel.picker.entries}
        with offline(qtbot, ui, ward):
            assert panel.send.shown_text() == "Send"  # nobody chosen
            panel.picker.choose(entries["Rita Ready"])
            panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
            bar = panel.scroll.verticalScrollBar()
            qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
            bar.setValue(bar.maximum())  # down to Expires: the card is above, out of sight
            qtbot.wait(50)
            assert panel.picker.card.visibleRegion().isEmpty()
            assert fully_shown(panel.send) and panel.send.isEnabled()
            assert panel.send.shown_text() == "Send to Rita Ready"
            assert "Rita Ready" in panel.send.toolTip()
            assert "Ctrl+Return" in panel.send.toolTip()  # the window's words kept

            width = panel.send.width()
            panel.picker.choose(entries[LONG_NAME])
            qtbot.wait(50)
            shown = panel.send.shown_text()
            assert shown.startswith("Send to Dr") and shown.endswith("…")
            assert panel.send.fontMetrics().horizontalAdvance(shown) <= panel.send.width()
            assert panel.send.width() == width and fully_shown(panel.send)
            assert LONG_NAME in panel.send.toolTip()
            assert panel.send.accessibleName() == f"Send to {LONG_NAME}"

            panel.picker.change.click()  # nobody chosen again
            assert panel.send.shown_text() == "Send" and LONG_NAME not in panel.send.toolTip()
    finally:
        no_draft_left(ui)
        ui.shutdown()
