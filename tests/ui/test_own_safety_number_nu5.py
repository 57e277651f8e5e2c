"""Messages ▸ My safety number… on the real window (NU5): a colleague's Safety number… said
"Ask them to read theirs to you", but a clinician had nowhere to read their own. It shows the
very number colleagues see for you, grouped the same way, only while signed in and unlocked."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox
from send_receive_support import (PASSPHRASE, choose_colleague, no_draft_left, running_ward,
                                  signed_in_window)

from medsnap.ui.colleague_picker import safety_number_of


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Nia Own", "Registrar"), ("Oli Checker", "Consultant")) as ward:
        yield ward


def shown_box(qtbot, title: str) -> QMessageBox:
    found: list[QMessageBox] = []

    def look() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title]
        return bool(found)

    qtbot.waitUntil(look, timeout=5000)
    return found[0]


def messages_menu_texts(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Messages")
    return [a.text() for a in menu.actions()]


def test_my_safety_number_is_the_one_colleagues_see(qtbot, make_window, ward, grey_png):
    seen_by_colleague = ""
    with signed_in_window(qtbot, make_window, ward, "Oli Checker", grey_png) as (window, ui):
        try:
            picker = ui.send_panel.picker
            choose_colleague(qtbot, ui.send_panel, "Nia")
            seen_by_colleague = safety_number_of(picker.current)
            picker.safety.click()
            box = shown_box(qtbot, "Safety number")
            assert seen_by_colleague in box.text()
            assert "open Messages ▸ My safety number… and read it to you" in box.text()
            box.reject()
        finally:
            no_draft_left(ui)

    with signed_in_window(qtbot, make_window, ward, "Nia Own") as (window, ui):
        action = ui.own_safety_action
        assert "My safety &number…" in messages_menu_texts(window)
        assert action.isEnabled()
        action.trigger()
        box = shown_box(qtbot, "My safety number")
        assert seen_by_colleague in box.text() and "Nia Own" in box.text()
        assert len(seen_by_colleague) == 24 and seen_by_colleague.count(" ") == 4
        with qtbot.waitSignal(ui.binding.locked, timeout=5000):
            ui.binding.lock("asked")
        qtbot.waitUntil(lambda: not shiboken6.isValid(box) or not box.isVisible(), timeout=5000)  # gone with the keys
        assert not action.isEnabled()
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.binding.unlock(PASSPHRASE)
        assert action.isEnabled()
