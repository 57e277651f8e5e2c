"""PdfPageDialog: thumbnails arrive off the UI thread, dpi and ceiling, password prompt."""

from __future__ import annotations

import shutil
import threading

import pytest

from medsnap.ui.pdf_pages import THUMBNAIL_SIDE, PdfPageDialog
from tests.imaging.record_fixtures import encrypted_pdf, pdf_letter


@pytest.fixture
def make_dialog(qapp, qtbot):
    made = []

    def factory(source, **options) -> PdfPageDialog:
        dialog = PdfPageDialog(source, **options)
        qtbot.addWidget(dialog)
        dialog.show()
        made.append(dialog)
        return dialog

    yield factory
    for dialog in made:
        dialog.reject()


def test_thumbnails_for_every_page_rendered_off_the_ui_thread(make_dialog, qtbot, monkeypatch):
    from medsnap.imaging import pdf

    threads = set()
    real = pdf.render_thumbnail

    def spy(*args, **kwargs):
        threads.add(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_thumbnail", spy)
    dialog = make_dialog(pdf_letter(5, scanned_page=3))
    with qtbot.waitSignal(dialog.thumbnails_done, timeout=10000):
        pass
    assert dialog.pages.count() == 5 and threads == {False}
    for row in range(5):
        icon = dialog.pages.item(row).icon()
        assert not icon.isNull()
        size = icon.availableSizes()[0]
        assert max(size.width(), size.height()) == THUMBNAIL_SIDE


def test_choosing_a_page_and_dpi_emits_them(make_dialog, qtbot):
    dialog = make_dialog(pdf_letter(3), dpi=150)
    qtbot.waitUntil(lambda: dialog.pages.count() == 3, timeout=10000)
    dialog.pages.setCurrentRow(2)
    dialog.dpi_box.setValue(300)
    assert "2480 x 3509" in dialog.size_label.text()
    with qtbot.waitSignal(dialog.page_chosen) as chosen:
        dialog.buttons.accepted.emit()
    assert chosen.args == [2, 300.0, ""]


def test_dpi_over_the_ceiling_disables_open_and_suggests_lower(make_dialog, qtbot):
    dialog = make_dialog(pdf_letter(1), max_pixels=5_000_000)
    qtbot.waitUntil(lambda: dialog.pages.count() == 1, timeout=10000)
    dialog.dpi_box.setValue(400)
    assert "choose 227 dpi or less" in dialog.size_label.text()
    assert not dialog._open_button().isEnabled()
    dialog.dpi_box.setValue(228)
    assert not dialog._open_button().isEnabled()
    dialog.dpi_box.setValue(227)
    assert dialog._open_button().isEnabled()


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (Debian package) is missing")
def test_password_prompt_wrong_then_right(make_dialog, qtbot, tmp_path):
    path = encrypted_pdf(tmp_path / "locked.pdf", "Ward7-Secret", pages=2)
    dialog = make_dialog(path)
    qtbot.waitUntil(dialog.password_row.isVisible, timeout=10000)
    assert dialog.message.text() == ("“locked.pdf” is protected by a password. Type it to "
                                     "open the letter.")  # a question, not an error
    # one Open (beside the password), no empty page list nor resolution yet
    assert not dialog._open_button().isVisible() and not dialog.pages.isVisible()
    assert not dialog.dpi_box.isVisible()
    with qtbot.waitSignal(dialog.password_needed, timeout=10000) as needed:
        dialog.password_box.setText("wrong")
        dialog.unlock_button.click()
    assert "does not open" in needed.args[0]
    with qtbot.waitSignal(dialog.pages_listed, timeout=10000) as listed:
        dialog.password_box.setText("Ward7-Secret")
        dialog.unlock_button.click()
    assert listed.args == [2] and not dialog.password_row.isVisible()
    assert dialog.pages.isVisible() and dialog._open_button().isVisible()
    with qtbot.waitSignal(dialog.thumbnails_done, timeout=10000):
        pass
    with qtbot.waitSignal(dialog.page_chosen) as chosen:
        dialog.buttons.accepted.emit()
    assert chosen.args == [0, 200.0, "Ward7-Secret"]


def test_damaged_pdf_shows_a_plain_message(make_dialog, qtbot):
    dialog = make_dialog(b"%PDF-1.7\nnot really a pdf\n")
    qtbot.waitUntil(lambda: "damaged" in dialog.message.text(), timeout=10000)
    assert not dialog._open_button().isEnabled() and dialog.pages.count() == 0
    # no large empty page list, no resolution, no Open: the message and Close
    assert not dialog.pages.isVisible() and not dialog.dpi_box.isVisible()
    assert not dialog._open_button().isVisible()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Cancel).text() == "Close"
    assert dialog.height() < 250


def test_too_complex_page_is_said_in_preview_and_on_opening(make_dialog, qtbot, monkeypatch,
                                                            make_window, tmp_path):
    """A page that would take PDFium days: the preview says so, opening it stops with a
    plain message in time, the window keeps working and nothing is changed."""
    from medsnap.imaging import pdf_worker
    from tests.imaging.record_fixtures import pdf_nested_forms

    monkeypatch.setattr(pdf_worker, "THUMBNAIL_TIME_LIMIT", 0.5)
    monkeypatch.setattr(pdf_worker, "PAGE_TIME_LIMIT", 1.0)
    path = tmp_path / "drawing.pdf"
    path.write_bytes(pdf_nested_forms(30))
    dialog = make_dialog(path)
    with qtbot.waitSignal(dialog.thumbnails_done, timeout=30000):
        pass
    item = dialog.pages.item(0)
    assert "too complex to preview" in item.text() and item.icon().isNull()
    assert dialog._open_button().isEnabled()  # it may still be tried, with more time
    dialog.reject()

    window = make_window()
    window.open_path(str(path))
    chooser = window.findChild(PdfPageDialog)
    with qtbot.waitSignal(window.error_shown, timeout=30000) as shown:
        chooser.page_chosen.emit(0, 200.0, "")
    assert "too complex to show" in shown.args[0] and "Nothing was changed" in shown.args[0]
    assert window.document is None or window.document.picture is None
    chooser.close()
    pdf_worker.shutdown()


def test_closing_while_a_heavy_preview_draws_does_not_wait_for_it(make_dialog, qtbot,
                                                                  monkeypatch, tmp_path):
    import time

    from medsnap.imaging import pdf_worker
    from tests.imaging.record_fixtures import pdf_nested_forms

    monkeypatch.setattr(pdf_worker, "THUMBNAIL_TIME_LIMIT", 120.0)
    path = tmp_path / "drawing.pdf"
    path.write_bytes(pdf_nested_forms(30))
    dialog = make_dialog(path)
    qtbot.waitUntil(lambda: dialog.pages.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: pdf_worker._lock.locked(), timeout=10000)  # drawing it now
    started = time.monotonic()
    dialog.reject()
    assert time.monotonic() - started < 5.0
    assert pdf_worker._child is None  # PDFium was stopped, not left drawing


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (Debian package) is missing")
def test_enter_after_the_password_opens_the_letter(make_dialog, qtbot, tmp_path):
    """NU5: everyone presses Enter after a password; it closed the dialog silently, opening
    nothing, for a wrong and for the right password alike."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    path = encrypted_pdf(tmp_path / "locked.pdf", "Ward7-Secret", pages=2)
    dialog = make_dialog(path)
    qtbot.waitUntil(dialog.password_row.isVisible, timeout=10000)
    with qtbot.waitSignal(dialog.password_needed, timeout=10000) as needed:
        QTest.keyClicks(dialog.password_box, "wrong")
        QTest.keyClick(dialog.password_box, Qt.Key.Key_Return)
    assert "does not open" in needed.args[0] and dialog.isVisible()
    qtbot.waitUntil(dialog.password_box.isEnabled, timeout=5000)
    dialog.password_box.clear()
    with qtbot.waitSignal(dialog.pages_listed, timeout=10000) as listed:
        QTest.keyClicks(dialog.password_box, "Ward7-Secret")
        QTest.keyClick(dialog.password_box, Qt.Key.Key_Return)
    assert listed.args == [2] and dialog.isVisible()
    assert dialog._open_button().isDefault()  # Enter now opens the chosen page
