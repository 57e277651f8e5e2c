"""A redaction on a black picture (a radiograph, an ultrasound) is still seen on screen: a thin
dashed light-and-dark edge round it, drawn by the editor only, never in what is sent. NU5: a
black box on black was invisible once drawn, so nobody could check what it covered."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtGui import QColor

from medsnap.render import render
from ui_support import drag, open_and_wait, view_point


@pytest.fixture
def black_png(tmp_path):
    path = tmp_path / "black.png"
    Image.new("RGB", (400, 300), (0, 0, 0)).save(path)
    return path


def _light_pixels_around(image, window, box) -> int:
    """Light pixels on the screen within 2 pixels outside ``box`` (image coordinates)."""
    top_left = view_point(window, box[0], box[1])
    bottom_right = view_point(window, box[2], box[3])
    count = 0
    for x in range(top_left.x() - 2, bottom_right.x() + 3):
        for y in (top_left.y() - 2, top_left.y() - 1, bottom_right.y() + 1, bottom_right.y() + 2):
            if QColor(image.pixel(x, y)).lightness() > 150:
                count += 1
    return count


@pytest.mark.parametrize("tool_id", ["redaction", "redaction-brush"])
def test_a_redaction_on_black_shows_its_edge_on_screen_only(qtbot, make_window, black_png,
                                                            tool_id):
    window = make_window()
    open_and_wait(qtbot, window, black_png)
    window.canvas.zoom_to(1.0)
    drag(window, tool_id, (100, 100), (250, 140) if tool_id == "redaction" else (250, 100))
    window.tool_strip.choose("arrow")  # not selected: no selection outline either
    qtbot.wait(50)
    screen = window.canvas.viewport().grab().toImage()
    (redaction,) = window.document.annotations
    bounds = redaction.bounds()
    box = (round(bounds.x), round(bounds.y), round(bounds.right), round(bounds.bottom))
    assert _light_pixels_around(screen, window, box) > 20
    exported = render(window.document)
    light = [exported.pixelColor(x, y).lightness() for x in range(0, 400, 3)
             for y in range(0, 300, 3)]
    assert max(light) == 0  # the export is black only: the edge is not in what is sent
