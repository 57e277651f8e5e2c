"""Locking closes what is open over the window (NU5: the idle lock blanked the window but a
"Save a clean copy" dialog stayed on top, usable; a passer-by saved the locked clinician's
picture to disk, and the unlock afterwards hung on "Unlocking…")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from send_receive_support import PASSPHRASE, no_draft_left, running_ward, signed_in_window
from ui_support import drag

from medsnap.ui import file_dialogs


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Lia Leaves", "Registrar"), ("Max Other", "Consultant")) as ward:
        yield ward


def _open_dialogs() -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def test_a_save_dialog_open_at_the_lock_is_closed_and_saves_nothing(qtbot, make_window, ward,
                                                                    grey_png, tmp_path):
    with signed_in_window(qtbot, make_window, ward, "Lia Leaves", grey_png) as (window, ui):
        drag(window, "redaction", (10, 10), (60, 30))
        seen: list[list[QDialog]] = []

        def walk_away() -> None:
            seen.append(_open_dialogs())
            ui.binding.lock("idle")  # the idle lock, with the dialog open
            seen.append(_open_dialogs())
            for dialog in seen[-1]:  # a passer-by presses Save on whatever is still there
                dialog.selectFile(str(tmp_path / "passer-by.png"))
                dialog.accept()

        QTimer.singleShot(300, walk_away)
        window.actions.save_copy.trigger()  # returns once the dialog is gone
        qtbot.wait(500)
        assert seen[0] and seen[1] == []  # it was open, and the lock closed it
        assert not (tmp_path / "passer-by.png").exists()
        assert ui.lock_screen.isVisible()

        ui.lock_screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.lock_screen.unlock.click()
        assert window.canvas.isVisible() and len(window.document.annotations) == 1
        no_draft_left(ui)  # (the lock kept one: the next test here must not restore it)


def test_a_native_dialog_answered_after_the_lock_saves_nothing(qtbot, make_window, ward,
                                                               grey_png, tmp_path, monkeypatch):
    """Whatever a file dialog returns after a lock is ignored (MedSnap's own Qt dialog is
    closed by the lock; a system dialog would not be), and unlocking then works."""
    with signed_in_window(qtbot, make_window, ward, "Lia Leaves", grey_png) as (window, ui):
        drag(window, "redaction", (10, 10), (60, 30))

        def native(*_args, **_kwargs):
            ui.binding.lock("idle")
            return str(tmp_path / "after-lock.png"), "PNG (*.png)"

        monkeypatch.setattr(file_dialogs, "ask_save_file", native)
        window.actions.save_copy.trigger()
        qtbot.wait(500)
        assert not (tmp_path / "after-lock.png").exists() and ui.lock_screen.isVisible()
        ui.lock_screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.lock_screen.unlock.click()
        no_draft_left(ui)


def _drop(window, path) -> tuple[bool, bool]:
    import warnings

    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_a_file_dropped_or_chosen_after_the_lock_opens_nothing(qtbot, make_window, ward,
                                                               grey_png, pattern_png,
                                                               monkeypatch):
    """Reviewer: a drop on the locked window asked "Save a copy… / Discard" over the lock
    screen (naming the file), and Discard threw the clinician's work and draft away; a system
    Open dialog answered after the lock loaded a passer-by's file into their session."""
    with signed_in_window(qtbot, make_window, ward, "Lia Leaves", grey_png) as (window, ui):
        drag(window, "redaction", (10, 10), (60, 30))
        ui.binding.lock("idle")
        assert _drop(window, pattern_png) == (False, False)
        qtbot.wait(300)
        assert _open_dialogs() == [] and window.source_name == "grey.png"

        def native(*_args, **_kwargs):
            return str(pattern_png)

        ui.lock_screen.passphrase.setText(PASSPHRASE)
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.lock_screen.unlock.click()
        monkeypatch.setattr(file_dialogs, "ask_open_file",
                            lambda *a, **k: (ui.binding.lock("idle"), native())[1])
        window.opener.choose_file()
        qtbot.wait(300)
        assert window.source_name == "grey.png" and len(window.document.annotations) == 1
