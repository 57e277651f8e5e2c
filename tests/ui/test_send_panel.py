"""The send panel as a clinician meets it at 1280x800: the wheel scrolls the panel (it does
not change Priority or Expires on the way), Send is above the fold, a second Send of the
same picture to the same colleague asks first, and a queued send says when it went."""

from __future__ import annotations

import pytest
from ui_support import open_and_wait
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from send_receive_support import running_ward, sign_in_through_first_run

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Pia Panel", "Consultant"), ("Rex Reader", "Registrar")) as ward:
        yield ward


@pytest.fixture
def panel_ui(make_window, ward, qapp, qtbot):
    window = make_window(1280, 800)
    window.show()
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore, sync_interval_ms=300)
    sign_in_through_first_run(qtbot, ui, ward.staff["Pia Panel"])
    qtbot.wait(50)  # the docks take their sizes
    yield window, ui
    ui.shutdown()


def _wheel_down(widget) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(QPoint(0, 0))) + centre,
                        QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _scroll_area(panel):
    return panel.scroll  # the fields' (Send and the outcome stay beneath it)


def _fully_shown(widget) -> bool:
    """Every pixel of ``widget`` can be painted: clipped by no scroll area, nor the dock."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_the_wheel_scrolls_the_panel_not_the_priority(qtbot, panel_ui):
    window, ui = panel_ui
    panel = ui.send_panel
    area = _scroll_area(panel)
    area.resize(area.width(), 200)  # short enough to scroll
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0, timeout=2000)
    bar = area.verticalScrollBar()
    for box, before in ((panel.priority, panel.priority.currentIndex()),
                        (panel.expires, panel.expires.value()),
                        (panel.declaration, panel.declaration.currentIndex())):
        bar.setValue(0)
        _wheel_down(box)
        value = box.value() if box is panel.expires else box.currentIndex()
        assert value == before, box.accessibleName()
        assert bar.value() > 0, box.accessibleName()  # the panel scrolled instead
    panel.expires.setFocus()  # clicked into: now the wheel is for it
    qtbot.waitUntil(panel.expires.hasFocus, timeout=2000)
    _wheel_down(panel.expires)
    assert panel.expires.value() == 13


def test_send_and_its_result_fit_at_1280x800(qtbot, panel_ui, grey_png):
    window, ui = panel_ui
    panel = ui.send_panel
    open_and_wait(qtbot, window, grey_png)
    qtbot.keyClicks(panel.picker.search, "Rex")  # the list is shown, as when choosing
    assert panel.picker.list.isVisible()
    panel.show_outcome("Queued: MedSnap is offline. It will be sent automatically when the "
                       "connection returns.", ok=True)
    qtbot.wait(50)
    for widget in (panel.send, panel.outcome):
        assert _fully_shown(widget), widget.objectName()
    # the result wraps within the panel: every line of it is shown, nothing cut at the right
    assert panel.outcome.wordWrap()
    right = panel.outcome.mapTo(panel, QPoint(panel.outcome.width(), 0)).x()
    assert right <= panel.width()
    assert panel.outcome.height() >= panel.outcome.heightForWidth(panel.outcome.width())


def _choose_rex_and_declare(qtbot, panel) -> None:
    from PySide6.QtTest import QTest

    qtbot.keyClicks(panel.picker.search, "Rex")
    QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
    panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))


def test_sending_the_same_picture_again_asks_first(qtbot, panel_ui, grey_png):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox
    from ui_support import drag

    window, ui = panel_ui
    panel = ui.send_panel
    open_and_wait(qtbot, window, grey_png)
    _choose_rex_and_declare(qtbot, panel)
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    assert sent.args[1] == "sent"
    sends = []
    ui.binding.sending.connect(lambda: sends.append(1))
    ui.binding.sent.connect(lambda *args: sends.append(args))

    assert not panel.send.isEnabled()  # sent: the declaration is chosen again
    _declare = lambda: panel.declaration.setCurrentIndex(  # noqa: E731
        panel.declaration.findData("direct-care"))
    _declare()
    QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)  # unchanged: asked, not sent
    box = ui.resend_box
    assert box.isVisible() and "already sent this picture to Rex Reader at" in box.text()
    assert box.text().endswith("Send it again?")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    QTest.keyClick(box, Qt.Key.Key_Return)  # Enter: No
    qtbot.wait(300)
    assert sends == [] and not [b for b in window.findChildren(QMessageBox) if b.isVisible()]

    QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as again:
        QTest.mouseClick(ui.resend_box.button(QMessageBox.StandardButton.Yes),
                         Qt.MouseButton.LeftButton)
    assert again.args[1] == "sent"

    drag(window, "rectangle", (30, 30), (120, 90))  # changed: a new picture, no question
    _declare()
    ui.resend_box = None
    with qtbot.waitSignal(ui.binding.sent, timeout=20000) as changed:
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
    assert changed.args[1] == "sent" and ui.resend_box is None


def test_going_offline_does_not_widen_the_window(qtbot, make_window, qapp, tmp_path, grey_png):
    """A long tool hint and the offline word shared the status bar: its minimum width made the
    window wider than a 1280-pixel screen. The hint is shortened with … instead."""
    window = make_window(1088, 800)
    window.show()
    ui = attach_messaging(window, home=tmp_path, welcome=False)
    try:
        open_and_wait(qtbot, window, grey_png)
        window.status.show()
        hint = "Click an annotation to select it; drag to move, drag a handle to resize, " \
               "Delete removes it. " * 2
        window.status.show_hint(hint)
        ui.indicator.show_state("The hospital endpoint did not answer.")
        qtbot.wait(50)
        assert window.width() == 1088 and window.minimumSizeHint().width() < 1088
        assert window.status.hint.text() == hint  # all of it, in the tooltip when cut
        shown = super(type(window.status.hint), window.status.hint).text()
        assert shown.endswith("…") and window.status.hint.toolTip() == hint
    finally:
        ui.shutdown()


def test_queued_while_offline_then_says_when_it_was_sent(qtbot, panel_ui, ward, grey_png):
    from PySide6.QtTest import QTest

    window, ui = panel_ui
    panel = ui.send_panel
    open_and_wait(qtbot, window, grey_png)
    _choose_rex_and_declare(qtbot, panel)
    ward.endpoint.stop()
    try:
        with qtbot.waitSignal(ui.binding.sent, timeout=20000) as sent:
            QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        assert sent.args[1] == "queued" and panel.outcome.text().startswith("Queued")
    finally:
        ward.endpoint.start()
    qtbot.waitUntil(lambda: "Sent to Rex Reader at" in panel.outcome.text(), timeout=20000)
    assert "Queued" not in panel.outcome.text() and panel.outcome.property("tone") == "ok"


def test_nothing_looks_chosen_until_a_colleague_is_chosen(qtbot, panel_ui, grey_png):
    from PySide6.QtTest import QTest

    window, ui = panel_ui
    open_and_wait(qtbot, window, grey_png)
    picker = ui.send_panel.picker
    qtbot.waitUntil(lambda: picker.list.count() >= 1, timeout=10000)
    assert picker.search.text() == "" and picker.current is None
    assert picker.list.selectedItems() == [] and picker.list.currentRow() == -1
    assert ui.send_panel.why_not.text() == "Choose a colleague."
    QTest.keyClick(picker.search, Qt.Key.Key_Return)  # Enter in the empty box picks nobody
    assert picker.current is None and picker.search.isVisible()
    qtbot.keyClicks(picker.search, "Rex")  # typed: the top match is highlighted, Enter takes it
    assert [i.text().split("\n")[0] for i in picker.list.selectedItems()] == ["Rex Reader"]
    picker.search.clear()
    assert picker.list.selectedItems() == []
    qtbot.keyClicks(picker.search, "Rex")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.current["display_name"] == "Rex Reader"


def test_enter_in_the_safety_number_dialog_confirms_nothing(qtbot, panel_ui, grey_png):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    window, ui = panel_ui
    open_and_wait(qtbot, window, grey_png)
    _choose_rex_and_declare(qtbot, ui.send_panel)
    rex = ui.send_panel.picker.current["staff_id"]
    QTest.mouseClick(ui.send_panel.picker.safety, Qt.MouseButton.LeftButton)
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert box.defaultButton().text() == "Not now"
    QTest.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not [b for b in window.findChildren(QMessageBox) if b.isVisible()],
                    timeout=3000)
    assert not ui.binding.known_colleagues().get(rex, {}).get("verified")


def test_offline_after_a_restart_lists_the_colleagues_sent_to_before(qtbot, make_window, ward,
                                                                     qapp, grey_png):
    """A restarted demo user whose endpoint is gone signs in offline: the picker says why
    it cannot look colleagues up, lists the ones sent to before, and Sent shows names."""
    from PySide6.QtTest import QTest

    first = make_window(1280, 800)
    ui = attach_messaging(first, home=ward.home, keystore=ward.keystore, sync_interval_ms=300)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Pia Panel"])
        assert not ui.send_panel.picker.offline_note.isVisible()
        open_and_wait(qtbot, first, grey_png)
        _choose_rex_and_declare(qtbot, ui.send_panel)
        with qtbot.waitSignal(ui.binding.sent, timeout=20000):
            QTest.mouseClick(ui.send_panel.send, Qt.MouseButton.LeftButton)
    finally:
        ui.shutdown()
    ward.endpoint.stop()
    try:
        window = make_window(1280, 800)
        window.show()
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore,
                              sync_interval_ms=300)
        try:
            with qtbot.waitSignal(ui.binding.directory_changed, timeout=20000):
                screen = ui.first_run
                screen.staff_id.setText(ward.staff["Pia Panel"])
                from send_receive_support import PASSPHRASE
                screen.passphrase.setText(PASSPHRASE)
                QTest.mouseClick(screen.sign_in_button, Qt.MouseButton.LeftButton)
            picker = ui.send_panel.picker
            assert picker.offline_note.isVisible()
            assert picker.offline_note.text().startswith("Offline: colleagues you sent to")
            assert picker.offline_note.toolTip().startswith(
                "Colleagues cannot be looked up while MedSnap is offline")
            assert [e["display_name"] for e in picker.entries] == ["Rex Reader"]
            tree = ui.outbox_view.tree
            qtbot.waitUntil(lambda: tree.topLevelItemCount() >= 1, timeout=10000)
            names = {tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())}
            assert names == {"Rex Reader"}, names
        finally:
            ui.shutdown()
    finally:
        ward.endpoint.start()


def test_the_panels_take_a_quarter_of_a_wide_window(qtbot, make_window, ward):
    # At 1920x1080 a fixed 340 px column cut every note preview short.
    widths = {}
    for size in ((1280, 800), (1920, 1080)):
        window = make_window(*size)
        window.show()
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
        qtbot.waitUntil(lambda: ui.send_dock.width() > 0, timeout=2000)
        qtbot.wait(50)  # the docks take their sizes
        widths[size] = ui.send_dock.width()
        ui.shutdown()
    assert 330 <= widths[(1280, 800)] <= 360
    assert 460 <= widths[(1920, 1080)] <= 490
