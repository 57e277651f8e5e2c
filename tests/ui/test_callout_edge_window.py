"""The new user's steps in the real window: a long callout typed right of centre on a
3000x4000 photo shown at 14% is exported whole, and the canvas shows the same lines.

Before the fix the callout ran off the picture's right edge and the export, the preview and
the letter all stopped at "...please advise wheth" without a warning.
"""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from medsnap import render
from medsnap.exporting import export_bytes
from ui_support import open_and_wait, view_point

TEXT = ("Wound edge erythema spreading since yesterday evening, please advise whether to "
        "start IV antibiotics and whether plastics need to review today before 5pm")


def _ink(pixel) -> bool:
    return pixel[0] > 150 and pixel[1] < 120 and pixel[2] < 120


def _rightmost_ink(image: Image.Image, box, band) -> int | None:
    """The rightmost red pixel's x inside ``box`` (x range) within rows ``band``."""
    xs = [x for x in range(box[0], box[1]) for y in range(band[0], band[1])
          if _ink(image.getpixel((x, y))[:3])]
    return max(xs) if xs else None


def _photo(tmp_path):
    photo = tmp_path / "wound.png"
    Image.new("RGB", (3000, 4000), (200, 180, 160)).save(photo, compress_level=1)
    return photo


def test_a_long_callout_typed_right_of_centre_is_sent_whole_and_shown_as_sent(
        qtbot, make_window, tmp_path):
    window = make_window(1400, 900)  # room for the picture's whole width at 40%
    open_and_wait(qtbot, window, _photo(tmp_path))
    window.canvas.zoom_to(0.14)
    window.tool_strip.set_colour("#E03030")
    window.canvas.setFocus()
    QTest.keyClick(window.canvas, Qt.Key.Key_T)
    assert window.canvas.tool.tool_id == "text"
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view_point(window, 2100, 3135))
    editor = window.text_editor
    assert editor.isVisible()
    QTest.keyClicks(editor, TEXT)
    # the words wrap while typing inside the picture, as they will be painted
    assert editor.geometry().right() <= view_point(window, 3000, 0).x()
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    (callout,) = window.document.annotations
    assert callout.text == TEXT

    # what is sent and saved: every word, inside the picture
    area = window.document.output_box()
    layout = render.callout_layout(callout, area)
    x, y, w, h = layout.box
    assert 0 <= x and x + w <= 3000 and 0 <= y and y + h <= 4000
    assert " ".join(line for line, _, _ in layout.lines).split() == TEXT.split()
    sent = Image.open(io.BytesIO(export_bytes(window.document, "png"))).convert("RGB")
    assert sent.size == (3000, 4000)
    spacing = layout.lines[1][2] - layout.lines[0][2]
    bands = [(int(b - 0.8 * spacing), int(b + 0.2 * spacing)) for _, _, b in layout.lines]
    pad = callout.padding()
    inside = (int(x + pad / 2), int(x + w - pad / 2))  # the letters, not the red border
    sent_ends = [_rightmost_ink(sent, inside, band) for band in bands]
    assert all(end is not None for end in sent_ends)
    assert max(sent_ends) > x + 0.8 * w  # the lines fill the box; none ran off

    # hit-testing (selecting, clicking to edit) uses the same fitted box
    box = window.canvas.tool.measure(callout)
    assert (box.x, box.y, box.width, box.height) == (x, y, w, h)

    # the canvas paints the same lines: at 40% (the picture's whole width in view) each
    # line ends where the export's does
    window.canvas.zoom_to(0.4, view_point(window, x + w / 2, y + h / 2))
    qtbot.wait(50)
    screen = window.canvas.viewport().grab().toImage()
    shown = Image.frombytes("RGBA", (screen.width(), screen.height()),
                            bytes(screen.convertToFormat(screen.Format.Format_RGBA8888)
                                  .constBits()))
    left, right = (view_point(window, v, y).x() for v in inside)
    assert 0 <= left and right <= shown.width  # the whole box is in view
    for (line, _, baseline), band, sent_end in zip(layout.lines, bands, sent_ends):
        rows = (view_point(window, 0, band[0]).y(), view_point(window, 0, band[1]).y())
        shown_end = _rightmost_ink(shown, (left, right), rows)
        assert shown_end is not None, line
        assert abs(window.canvas.to_image(QPointF(shown_end, 0))[0] - sent_end) <= 4, line


def test_a_callout_clicked_at_the_right_edge_is_typed_and_sent_inside_the_picture(
        qtbot, make_window, tmp_path):
    window = make_window()
    open_and_wait(qtbot, window, _photo(tmp_path))
    window.canvas.zoom_to(0.14)
    window.choose_tool("text")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view_point(window, 2995, 3990))
    editor = window.text_editor
    assert editor.geometry().right() <= view_point(window, 3000, 0).x()
    QTest.keyClicks(editor, "NBM from midnight, theatre list tomorrow")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    (callout,) = window.document.annotations
    layout = render.callout_layout(callout, window.document.output_box())
    x, y, w, h = layout.box
    assert x < 2995 - 500 and y < 3990  # moved left and up, whole
    assert 0 <= x and x + w <= 3000 and 0 <= y and y + h <= 4000
    assert " ".join(line for line, _, _ in layout.lines).split() == callout.text.split()
    # clicking the moved callout edits it (it is where it is painted, not where clicked)
    window.choose_tool("text")
    QTest.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view_point(window, x + w / 2, y + h / 2))
    assert editor.is_open and editor.toPlainText() == callout.text
    QTest.keyClick(editor, Qt.Key.Key_Escape)
