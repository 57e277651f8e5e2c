"""A multi-page TIFF opens at page 1 and says so ("Page 1 of 4" before the size, and how to
choose another); File › Choose page… opens the page asked for. Before, page 1 opened with no
hint that there were more."""

from __future__ import annotations

from PIL import Image
from PySide6.QtWidgets import QApplication, QInputDialog
from ui_support import open_and_wait

SHADES = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]


def _four_page_tiff(tmp_path):
    pages = [Image.new("RGB", (120, 90), shade) for shade in SHADES]
    path = tmp_path / "scan.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    return path


def test_multi_page_tiff_says_its_pages_and_opens_another(qtbot, make_window, tmp_path,
                                                          grey_png):
    window = make_window()
    open_and_wait(qtbot, window, _four_page_tiff(tmp_path))
    assert window.status.size_label.text().startswith("Page 1 of 4 · ")
    assert "4 pages" in window.status.currentMessage()
    assert "Choose page" in window.status.currentMessage()
    assert window.actions.choose_page.isEnabled()
    assert window.document.picture.image.getpixel((5, 5))[:3] == SHADES[0]

    window.actions.choose_page.trigger()
    [dialog] = [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QInputDialog) and w.isVisible()]
    assert dialog.intMaximum() == 4
    dialog.setIntValue(3)
    with qtbot.waitSignal(window.picture_loaded, timeout=15000):
        dialog.accept()
    assert window.document.picture.image.getpixel((5, 5))[:3] == SHADES[2]
    assert window.status.size_label.text().startswith("Page 3 of 4 · ")
    assert "(page 3)" in window.windowTitle()

    open_and_wait(qtbot, window, grey_png)  # one page: nothing to choose, nothing said
    assert not window.actions.choose_page.isEnabled()
    assert not window.status.size_label.text().startswith("Page")
