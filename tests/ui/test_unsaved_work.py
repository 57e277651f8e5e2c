"""Unsaved annotations are not thrown away without asking: not signed in (no encrypted draft),
File › Open and Quit ask Save a copy… / Discard / Cancel, with Cancel the default."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from ui_support import drag, open_and_wait


def _dirty_window(qtbot, make_window, grey_png):
    window = make_window(1000, 700)
    open_and_wait(qtbot, window, grey_png)
    drag(window, "redaction", (20, 20), (120, 80))
    drag(window, "arrow", (150, 150), (250, 200))
    assert window.windowTitle().startswith("grey.png •")
    return window


def test_quit_with_unsaved_work_asks_and_cancel_keeps_it(qtbot, make_window, grey_png):
    window = _dirty_window(qtbot, make_window, grey_png)
    window.actions.quit.trigger()  # Ctrl+Q
    box = window.unsaved.box
    assert box is not None and box.isVisible() and window.isVisible()
    assert [b.text() for b in box.buttons()].count("Discard") == 1
    assert any(b.text() == "Save a copy…" for b in box.buttons())
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    QTest.keyClick(box, Qt.Key.Key_Return)  # Enter: the default, Cancel
    qtbot.waitUntil(lambda: not box.isVisible())
    assert window.isVisible() and len(window.document.annotations) == 2

    window.actions.quit.trigger()
    discard = next(b for b in window.unsaved.box.buttons() if b.text() == "Discard")
    QTest.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_open_another_file_asks_first(qtbot, make_window, grey_png, monkeypatch):
    window = _dirty_window(qtbot, make_window, grey_png)
    dialogs = []
    monkeypatch.setattr(window.opener, "choose_file", lambda: dialogs.append(1))
    window.actions.open.trigger()
    box = window.unsaved.box
    assert box.isVisible() and dialogs == []  # asked before the file dialog
    QTest.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
    assert dialogs == []
    window.actions.open.trigger()
    discard = next(b for b in window.unsaved.box.buttons() if b.text() == "Discard")
    QTest.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert dialogs == [1]


def test_save_a_copy_then_quits(qtbot, make_window, grey_png, tmp_path, monkeypatch):
    from medsnap.ui import file_dialogs

    window = _dirty_window(qtbot, make_window, grey_png)
    target = tmp_path / "kept.png"
    monkeypatch.setattr(file_dialogs, "ask_save_file",
                        lambda *a, **k: (str(target), "PNG image (*.png)"))
    window.actions.quit.trigger()
    save = next(b for b in window.unsaved.box.buttons() if b.text() == "Save a copy…")
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_clean_picture_opens_without_asking(qtbot, make_window, grey_png, monkeypatch):
    window = make_window(1000, 700)
    open_and_wait(qtbot, window, grey_png)
    dialogs = []
    monkeypatch.setattr(window.opener, "choose_file", lambda: dialogs.append(1))
    window.actions.open.trigger()
    assert dialogs == [1] and window.unsaved.box is None

