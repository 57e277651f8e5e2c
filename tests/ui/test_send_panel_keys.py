"""Sending from the keyboard: Tab goes from the picture to the send panel (To, Note,
Patient, … Send), not to the zoom box; choosing a colleague with Enter moves to Patient with
a visible focus ring; Ctrl+Enter sends through the Send button's own checks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from send_receive_support import running_ward, sign_in_through_first_run
from ui_support import open_and_wait

from medsnap.ui.messaging_window import attach_messaging


def test_tab_order_focus_ring_and_ctrl_enter_send(qtbot, make_window, grey_png):
    with running_ward(("Kay Board", "Consultant"), ("Dr Ben Hughes", "Registrar")) as ward:
        window = make_window(1100, 760)
        ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
        try:
            sign_in_through_first_run(qtbot, ui, ward.staff["Kay Board"])
            open_and_wait(qtbot, window, grey_png)
            panel = ui.send_panel
            assert "Ctrl+Return" in panel.send.toolTip()
            window.canvas.setFocus()
            QTest.keyClick(window.canvas, Qt.Key.Key_Tab)
            assert window.focusWidget() is panel.picker.search  # not the zoom box
            qtbot.keyClicks(panel.picker.search, "ben")
            assert window.status.zoom.currentText() != "ben"
            window.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, False)
            QTest.keyClick(panel.picker.search, Qt.Key.Key_Return)
            assert panel.picker.current is not None
            assert window.focusWidget() is panel.declaration
            # the styles draw the focus ring only after a keyboard focus change
            assert window.testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)

            sent: list[dict] = []
            panel.send_requested.connect(sent.append)
            QTest.keyClick(panel.declaration, Qt.Key.Key_Return,
                           Qt.KeyboardModifier.ControlModifier)
            assert sent == []  # the Patient question is not answered: Send would not go
            assert "identified" in window.status.currentMessage()

            panel.declaration.setCurrentIndex(1)
            panel.note.setFocus()
            QTest.keyClick(panel.note, Qt.Key.Key_Tab)
            assert window.focusWidget() is panel.declaration
            QTest.keyClick(panel.declaration, Qt.Key.Key_Return,
                           Qt.KeyboardModifier.ControlModifier)
            qtbot.waitUntil(lambda: len(sent) == 1, timeout=5000)
            assert sent[0]["to"] == ward.staff["Dr Ben Hughes"]
            qtbot.waitUntil(lambda: not panel.send.isEnabled(), timeout=20000)  # queued
            assert window.focusWidget() is not window.status.zoom
            messages = next(a.menu() for a in window.menuBar().actions()
                            if a.text() == "&Messages")
            send = messages.actions()[0]  # Send is in a menu too, with its keys
            assert send.text() == "&Send picture" and send.shortcut().toString() == "Ctrl+Return"
        finally:
            ui.shutdown()


def test_ctrl_enter_in_a_callout_finishes_it_and_sends_nothing(qtbot, make_window, grey_png):
    """The callout's own Ctrl+Enter (the hint says it finishes) is not the window's Send: a
    tester sent an unredacted picture that way while meaning to redact next."""
    from send_receive_support import choose_colleague, signed_in_window
    from ui_support import drag

    with running_ward(("Cal Out", "Consultant"), ("Dr Ben Hughes", "Registrar")) as ward, \
            signed_in_window(qtbot, make_window, ward, "Cal Out", grey_png) as (window, ui):
        panel = ui.send_panel
        choose_colleague(qtbot, panel, "ben")
        panel.declaration.setCurrentIndex(panel.declaration.findData("direct-care"))
        assert panel.send.isEnabled()  # everything Send needs is set
        sent: list[dict] = []
        panel.send_requested.connect(sent.append)

        drag(window, "text", (60, 60), (60, 60), steps=1)
        QTest.keyClicks(window.text_editor, "see row 3")
        QTest.keyClick(window.text_editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        qtbot.wait(300)
        assert sent == []
        assert not window.text_editor.is_open
        assert [a.text for a in window.document.annotations] == ["see row 3"]
