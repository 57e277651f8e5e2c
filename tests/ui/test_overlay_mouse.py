"""The welcome and lock screens lie over the whole window: a press on them (on their
background, or on a label, which ignores the mouse) reaches nothing beneath. It reached the
main window, whose hidden dock separator took it: a click on the welcome screen's demo link
where the separator lay left the panels over the status bar (seen under Xvfb)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtTest import QTest
from ui_support import memory_keystore

from medsnap.ui.messaging_window import attach_messaging

MOUSE = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
         QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove)


class MouseSpy(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in MOUSE:
            self.seen.append(event.type().name)
        return False


@pytest.mark.parametrize("screen", ["first_run", "lock_screen"])
def test_a_click_on_an_overlay_reaches_nothing_behind_it(qtbot, make_window, screen):
    home = Path(tempfile.mkdtemp(prefix="medsnap-overlay-mouse-"))
    ui = attach_messaging(make_window(1161, 652), home=home, keystore=memory_keystore())
    try:
        window, dock, overlay = ui.window, ui.send_dock, getattr(ui, screen)
        overlay.present()
        qtbot.waitUntil(lambda: dock.isVisible() and overlay.isVisible())
        at = QPoint(dock.geometry().left() - 3, dock.geometry().center().y())  # the separator
        target = window.childAt(at)
        assert target is overlay or overlay.isAncestorOf(target)
        spy = MouseSpy()
        window.installEventFilter(spy)
        local = target.mapFrom(window, at)
        QTest.mousePress(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, local)
        QTest.mouseRelease(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           local)
        QTest.mouseDClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                          local)
        assert spy.seen == []
    finally:
        ui.shutdown()
