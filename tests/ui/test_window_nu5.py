"""What a new user met around the editor (NU5), on the real window: no zoom level without a
picture; the status bar follows the unopened messages and forgets a previous picture's file
name; the file dialogs start in a sensible folder, never the working directory; the message
viewer opens sized to the screen."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from send_receive_support import (PASSPHRASE, messaging_fixtures, no_draft_left, running_ward,
                                  signed_in_window)
from ui_support import open_and_wait


def test_no_zoom_level_is_shown_without_a_picture(qtbot, make_window, grey_png):
    window = make_window(1000, 700)
    zoom = window.status.zoom
    assert zoom.currentText() == ""  # it said "10%"
    window.resize(900, 650)  # the empty canvas is fitted again: still no zoom level
    qtbot.wait(50)
    assert zoom.currentText() == ""
    open_and_wait(qtbot, window, grey_png)
    assert zoom.currentText().endswith("%") and zoom.currentText() != "%"
    window.close_document()
    assert zoom.currentText() == ""


# the status bar --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ward():
    with running_ward(("Uma Sender", "Registrar"), ("Vic Reader", "Consultant")) as ward:
        yield ward


@contextmanager
def window_of(qtbot, make_window, ward, name, picture=None, **options):
    """signed_in_window, leaving no draft for this clinician's next window in the module."""
    with signed_in_window(qtbot, make_window, ward, name, picture, **options) as (window, ui):
        try:
            yield window, ui
        finally:
            no_draft_left(ui)


def send_from(ward, sender: str, to: str, seed: int, priority: str = "normal",
              image: bytes | None = None) -> None:
    """A colleague's message, sealed and uploaded by the engine on the same workstation."""
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.session import sign_in
    from medsnap.messaging.sync import SyncWorker

    session = sign_in(Workstation(ward.home), ward.staff[sender], PASSPHRASE,
                      keystore=ward.keystore)
    outbox = Outbox(session.profile.outbox_path)
    try:
        queue_letter(session, outbox, image or messaging_fixtures.clean_png(seed),
                     [ward.staff[to]],
                     note=f"seed {seed}", declaration="direct-care",
                     annotations={"priority": priority})
        assert SyncWorker(session, outbox).run_once().sent
    finally:
        outbox.close()
        session.close()


def test_the_arrival_notice_goes_once_a_message_is_opened(qtbot, make_window, ward):
    send_from(ward, "Uma Sender", "Vic Reader", 51)
    send_from(ward, "Uma Sender", "Vic Reader", 52, priority="urgent")
    with window_of(qtbot, make_window, ward, "Vic Reader") as (window, ui):
        status = window.status
        qtbot.waitUntil(lambda: "2 new messages" in status.currentMessage(), timeout=20000)
        assert "1 urgent" in status.currentMessage()
        tree = ui.inbox_view.tree
        row = tree.topLevelItem(0)
        with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
            tree.itemActivated.emit(row, 0)  # as a double-click or Enter on the row
        assert ui.tabs.tabText(0) == "Inbox (1)"
        assert status.currentMessage() == ""  # not "2 new messages…" under "Inbox (1)"
        ui.viewer.close()


def _saved_copy_said(qtbot, window, tmp_path, name: str) -> str:
    path = tmp_path / name
    window.sent_preview.save_to(str(path))
    qtbot.waitUntil(lambda: str(path) in window.status.currentMessage(), timeout=10000)
    return str(path)


def test_a_file_name_in_the_status_bar_is_not_left_for_the_next_picture_or_user(
        qtbot, make_window, ward, grey_png, pattern_png, tmp_path):
    with window_of(qtbot, make_window, ward, "Uma Sender", grey_png) as (window, ui):
        status = window.status
        _saved_copy_said(qtbot, window, tmp_path, "mrs_smith_wound.png")
        open_and_wait(qtbot, window, pattern_png)  # the next picture (maybe the next patient)
        assert "mrs_smith" not in status.currentMessage()

        _saved_copy_said(qtbot, window, tmp_path, "mr_jones_letter.png")
        with qtbot.waitSignal(ui.binding.locked, timeout=5000):
            ui.binding.lock("asked")
        assert status.currentMessage() == ""
        with qtbot.waitSignal(ui.binding.signed_in, timeout=20000):
            ui.binding.unlock(PASSPHRASE)

        _saved_copy_said(qtbot, window, tmp_path, "baby_brown.png")
        window.undo_stack.setClean()
        with qtbot.waitSignal(ui.binding.signed_out, timeout=20000):
            ui.switch_user()
        assert status.currentMessage() == ""
        assert ui.first_run.isVisible()


# where the file dialogs start ------------------------------------------------------------
def dialog_folder(qtbot, ask) -> str:
    """The folder the real file dialog opened in (it is then cancelled)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    seen: list[str] = []

    def look() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, look)
            return
        seen.append(dialog.directory().absolutePath())
        dialog.reject()

    QTimer.singleShot(20, look)
    ask()  # the static dialogs run their own event loop until cancelled
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen[0]


@pytest.fixture
def own_folders(tmp_path, monkeypatch):
    """A home with Pictures and Documents, started from another folder (the cwd)."""
    home = tmp_path / "home"
    for name in ("Pictures", "Documents"):
        (home / name).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))  # no user-dirs.dirs there
    started_in = tmp_path / "medsnap-install"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    return home


def test_file_dialogs_start_in_the_users_folders_or_the_last_one_used(
        qtbot, make_window, ward, own_folders, tmp_path, grey_png):
    from medsnap.ui import settings as prefs

    home = own_folders
    send_from(ward, "Vic Reader", "Uma Sender", 61)  # a message to save a record copy of
    with window_of(qtbot, make_window, ward, "Uma Sender") as (window, ui):
        assert dialog_folder(qtbot, window.actions.open.trigger) == str(home / "Pictures")
        patient = tmp_path / "ward7" / "Smith_J"
        patient.mkdir(parents=True)
        picture = patient / "scan.png"
        picture.write_bytes(grey_png.read_bytes())
        open_and_wait(qtbot, window, picture)
        # the last folder used in this run, for Open and for both Save a copy dialogs
        assert dialog_folder(qtbot, window.actions.open.trigger) == str(patient)
        assert dialog_folder(qtbot, window.actions.save_copy.trigger) == str(patient)
        qtbot.waitUntil(lambda: ui.inbox_view.tree.topLevelItemCount() > 0, timeout=20000)
        with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
            ui.inbox_view.tree.itemActivated.emit(ui.inbox_view.tree.topLevelItem(0), 0)
        assert dialog_folder(qtbot, ui.viewer.save.click) == str(patient)
        ui.viewer.close()
        # in memory only: nothing of it in the settings file the ward's login shares
        window.settings.setValue("test/written", 1)  # the file exists, to be read
        window.settings.sync()
        assert not window.settings.contains(prefs.LAST_DIRECTORY.key)
        assert "Smith_J" not in Path(window.settings.fileName()).read_text()
        window.undo_stack.setClean()
        ui.switch_user()  # the next clinician does not start in the last one's folder
        # (File ▸ Open itself waits behind the welcome screen)
        assert dialog_folder(qtbot, window.opener.choose_file) == str(home / "Pictures")


def test_a_settings_file_of_an_earlier_version_loses_its_last_folder(make_window,
                                                                    settings_path):
    from PySide6.QtCore import QSettings

    from medsnap.ui import settings as prefs

    old = QSettings(settings_path, QSettings.Format.IniFormat)
    old.setValue(prefs.LAST_DIRECTORY.key, "/records/Smith_J_MRN1234")
    old.sync()
    window = make_window()
    assert not window.settings.contains(prefs.LAST_DIRECTORY.key)


# the message viewer ------------------------------------------------------------------------
def letter_page() -> bytes:
    """An A4 page at 150 dpi: lines of "text" (dark bars) on white."""
    from PIL import Image, ImageDraw

    from medsnap.imaging import encode_clean

    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for top in range(120, 1650, 36):
        draw.rectangle((100, top, 100 + (top * 7) % 900 + 200, top + 14), fill=(20, 20, 20))
    return encode_clean(page, "png")


def test_the_viewer_opens_on_most_of_the_screen_with_a_page_fitted_to_its_width(
        qtbot, make_window, ward):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    send_from(ward, "Uma Sender", "Vic Reader", 71, image=letter_page())
    with window_of(qtbot, make_window, ward, "Vic Reader") as (window, ui):
        tree = ui.inbox_view.tree
        qtbot.waitUntil(lambda: any("seed 71" in ui.inbox_view.preview_of(tree.topLevelItem(i))
                                    for i in range(tree.topLevelItemCount())), timeout=20000)
        row = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                   if "seed 71" in ui.inbox_view.preview_of(tree.topLevelItem(i)))
        with qtbot.waitSignal(ui.binding.letter_opened, timeout=20000):
            tree.itemActivated.emit(row, 0)
        viewer, view = ui.viewer, ui.viewer.view
        qtbot.waitUntil(viewer.isVisible, timeout=5000)
        area = window.screen().availableGeometry()
        frame = viewer.frameGeometry()
        assert area.contains(frame), (frame, area)  # on the editor's screen, whole
        assert viewer.width() >= 0.85 * area.width() and viewer.height() >= 0.85 * area.height()

        # a tall page: its width fills the view (at most actual size), its top shown first
        whole = min(view.viewport().width() / 1240, view.viewport().height() / 1754)
        room = view.viewport().width() - view.verticalScrollBar().sizeHint().width() - 2
        assert view.zoom() == pytest.approx(max(whole, min(1.0, room / 1240)), rel=0.01)
        assert view.zoom() > whole * 1.5
        assert view.verticalScrollBar().value() == view.verticalScrollBar().minimum()
        assert viewer.zoom_label.text() == f"Zoom {round(view.zoom() * 100)}%"
        viewer.activateWindow()
        qtbot.waitUntil(viewer.isActiveWindow, timeout=5000)
        QTest.keyClick(viewer, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # Fit: whole
        assert view.zoom() == pytest.approx(whole, rel=0.02)
        viewer.close()
