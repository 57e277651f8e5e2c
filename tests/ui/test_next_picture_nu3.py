"""A new picture starts a new Send: the colleague, the declaration (a statement about ONE
picture), note, priority and the "Sent …" line never carry over; a sent picture's work
counts as sent, so replacing it asks nothing; a picture opened before sign-in is nobody's
draft until touched."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from send_receive_support import choose_colleague, running_ward, \
    sign_in_through_first_run
from ui_support import drag, open_and_wait

from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Nia Sender", "Consultant"), ("Olu Taker", "Registrar")) as ward:
        yield ward


def _declare(panel, value: str = "direct-care") -> None:
    panel.declaration.setCurrentIndex(panel.declaration.findData(value))


def test_the_next_picture_declares_afresh_and_a_sent_one_is_not_unsent(
        qtbot, make_window, ward, pattern_png, grey_png):
    window = make_window(1100, 760)
    ui = attach_messaging(window, home=ward.home, keystore=ward.keystore)
    try:
        sign_in_through_first_run(qtbot, ui, ward.staff["Nia Sender"])
        qtbot.wait(300)
        panel = ui.send_panel
        open_and_wait(qtbot, window, pattern_png)
        drag(window, "rectangle", (30, 30), (120, 100))
        choose_colleague(qtbot, panel, "Taker")
        _declare(panel)
        panel.note.setPlainText("the rash on the left")
        panel.priority.setCurrentIndex(panel.priority.findData("urgent"))
        with qtbot.waitSignal(ui.binding.sent, timeout=20000):
            QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.outcome.text().startswith("✓ Sent"), timeout=10000)
        # a second press sends nothing: the declaration is asked again
        assert not panel.send.isEnabled() and panel.declaration.currentData() == ""
        assert "identified" in panel.why_not.text()
        assert panel.priority.currentData() == "normal"  # Urgent is said again, not kept
        # declaring again, the same picture to the same colleague still asks first
        _declare(panel)
        QTest.mouseClick(panel.send, Qt.MouseButton.LeftButton)
        box = ui.resend_box
        assert box.isVisible() and "already sent" in box.text()
        box.reject()
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)

        # the sent work is sent: pasting another picture asks no question
        image = QImage(str(grey_png))
        QGuiApplication.clipboard().setImage(image)
        with qtbot.waitSignal(window.picture_loaded, timeout=15000):
            window.paste()
            assert window.unsaved.box is None
        assert window.document.size == (image.width(), image.height())
        # nothing said about the picture before stays with this one
        assert panel.declaration.currentData() == "" and not panel.send.isEnabled()
        assert panel.note.toPlainText() == "" and panel.priority.currentData() == "normal"
        assert panel.outcome.text() == ""
        assert panel.picker.current is None  # nobody is pre-addressed for this picture
        assert window.focusWidget() is not panel.picker.search  # the keyboard stays put

        # File › Open (any way in) does the same, after a colleague and a declaration
        choose_colleague(qtbot, panel, "Taker")
        _declare(panel, "direct-care")
        open_and_wait(qtbot, window, pattern_png)
        assert panel.declaration.currentData() == "" and not panel.send.isEnabled()
        assert panel.picker.current is None and panel.picker.search.isVisible()

        # an edit after the send is unsent work again
        drag(window, "rectangle", (40, 40), (90, 90))
        assert window.unsaved.unsent()
    finally:
        ui.shutdown()
