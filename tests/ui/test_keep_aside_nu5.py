"""Signed in, another picture over an annotated one (File ▸ Open, paste) keeps the first as an
encrypted draft, reachable from Messages ▸ Drafts…, and opens the new one without a question
(NU5: it asked to throw the work and its draft away, or to save a plaintext copy). The
question stays where no draft can keep it: locked, or when the draft cannot be written."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from send_receive_support import no_draft_left, running_ward, signed_in_window
from ui_support import drag

from medsnap.ui.qt_enums import Qt


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Kay Keeps", "Registrar"), ("Lou Locked", "Consultant"),
                      ("Max Fails", "Registrar")) as ward:
        yield ward


def _folder(ward, name: str):
    from medsnap.messaging.profile import Workstation

    return Workstation(ward.home).profile(ward.staff[name]).drafts_folder


def _empty(folder) -> None:
    for path in folder.glob("*.age"):
        path.unlink()


def _listed(qtbot, ui) -> list:
    found: list = []
    ui.drafts.list_drafts(found.extend)
    qtbot.waitUntil(lambda: bool(found), timeout=10000)
    return found


def _paste(window, path) -> None:
    mime = QMimeData()
    mime.setImageData(QImage(str(path)))
    QGuiApplication.clipboard().setMimeData(mime)
    window.actions.paste.trigger()


@pytest.mark.parametrize("how", ["open", "paste"])
def test_another_picture_keeps_the_annotated_one_as_a_draft_and_asks_nothing(
        qtbot, make_window, ward, grey_png, pattern_png, monkeypatch, how):
    folder = _folder(ward, "Kay Keeps")
    _empty(folder)
    with signed_in_window(qtbot, make_window, ward, "Kay Keeps", grey_png) as (window, ui):
        drag(window, "rectangle", (40, 40), (140, 110))
        drag(window, "redaction", (200, 150), (300, 220))
        first_draft = ui.drafts.draft_id
        monkeypatch.setattr(window.opener, "choose_file",
                            lambda: window.open_path(str(pattern_png)))
        with qtbot.waitSignal(window.picture_loaded, timeout=20000):
            if how == "open":
                window.actions.open.trigger()
            else:
                _paste(window, pattern_png)
            assert window.unsaved.box is None  # no question
        assert window.document.size == (400, 300) and not window.document.annotations
        assert ui.drafts.draft_id != first_draft  # the new picture has a draft of its own
        said = window.status.currentMessage()
        assert "grey.png" in said and "kept as a draft: Messages ▸ Drafts…" in said
        assert (folder / f"{first_draft}.age").read_bytes().startswith(
            b"age-encryption.org/v1\n")  # sealed, never plaintext
        assert [d.name for d in _listed(qtbot, ui) if d.id == first_draft] == ["grey.png"]

        # Messages ▸ Drafts… brings it back, its work intact (the new one kept in turn)
        with qtbot.waitSignal(ui.drafts.restored, timeout=20000):
            ui.drafts.open_draft(first_draft)
        kinds = sorted(type(a).__name__ for a in window.document.annotations)
        assert len(kinds) == 2 and window.source_name == "grey.png", kinds
        no_draft_left(ui)
    _empty(folder)


def test_locked_the_question_stays(qtbot, make_window, ward, grey_png, monkeypatch):
    """Locked (a drop can still reach the window): no draft is written behind the lock
    screen, so the question is asked and Cancel keeps everything."""
    with signed_in_window(qtbot, make_window, ward, "Lou Locked", grey_png) as (window, ui):
        drag(window, "rectangle", (40, 40), (140, 110))
        with qtbot.waitSignal(ui.binding.locked, timeout=5000):
            ui.binding.lock("asked")
        opened = []
        monkeypatch.setattr(window.opener, "choose_file", lambda: opened.append(1))
        window.choose_file()
        box = window.unsaved.box
        assert box is not None and "encrypted draft" in box.informativeText()
        QTest.keyClick(box, Qt.Key.Key_Escape)
        assert opened == [] and len(window.document.annotations) == 1
        no_draft_left(ui)
    _empty(_folder(ward, "Lou Locked"))


def test_a_draft_that_cannot_be_written_is_not_thrown_away(qtbot, make_window, ward, grey_png,
                                                           monkeypatch):
    """The drafts folder is a file (a real fault): the picture is not replaced; the question
    says why it could not be kept, and Cancel keeps the work on screen."""
    folder = _folder(ward, "Max Fails")
    with signed_in_window(qtbot, make_window, ward, "Max Fails", grey_png) as (window, ui):
        drag(window, "rectangle", (40, 40), (140, 110))
        assert ui.binding.wait_for_jobs(10000)
        shutil.rmtree(folder, ignore_errors=True)
        folder.write_bytes(b"not a folder")
        try:
            opened = []
            monkeypatch.setattr(window.opener, "choose_file", lambda: opened.append(1))
            window.actions.open.trigger()
            qtbot.waitUntil(lambda: window.unsaved.box is not None, timeout=10000)
            box = window.unsaved.box
            assert "could not be kept as an encrypted draft" in box.informativeText()
            QTest.keyClick(box, Qt.Key.Key_Escape)
            assert opened == [] and len(window.document.annotations) == 1
            assert window.source_name == "grey.png"
        finally:
            folder.unlink()
        window.undo_stack.setClean()

