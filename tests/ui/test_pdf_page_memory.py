"""A PDF letter opened again offers the page used last time, and the status bar says which
page of how many is on screen; Switch user forgets both with the recent files."""

from __future__ import annotations

from medsnap.ui.pdf_pages import PdfPageDialog
from medsnap.ui.window_memory import forget_recent
from tests.imaging.record_fixtures import pdf_letter


def _dialog(qtbot, window, path) -> PdfPageDialog:
    window.open_path(str(path))
    dialog = [d for d in window.findChildren(PdfPageDialog) if d.isVisible()][-1]
    qtbot.waitUntil(lambda: dialog.pages.count() == 4, timeout=10000)
    return dialog


def test_reopening_a_letter_preselects_its_last_page_and_the_status_bar_says_it(
        qtbot, make_window, tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf_letter(4, scanned_page=None))
    window = make_window()
    dialog = _dialog(qtbot, window, path)
    assert dialog.pages.currentRow() == 0  # the first time: page 1
    dialog.pages.setCurrentRow(2)
    dialog.dpi_box.setValue(72)
    with qtbot.waitSignal(window.picture_loaded, timeout=15000):
        dialog.buttons.accepted.emit()
    assert window.status.size_label.text().startswith("Page 3 of 4 · ")

    again = _dialog(qtbot, window, path)
    assert again.pages.currentRow() == 2
    again.reject()

    forget_recent(window)  # Switch user
    fresh = _dialog(qtbot, window, path)
    assert fresh.pages.currentRow() == 0
    fresh.reject()
