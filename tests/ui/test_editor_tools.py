"""Every tool drawn with real mouse events on the real window; the document and both the
screen pixels and the exported pixels are checked."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from medsnap.render import render
from medsnap.ui import settings as prefs
from ui_support import drag, open_and_wait, view_point



def screen_colour(window, x, y) -> QColor:
    image = window.canvas.viewport().grab().toImage()
    return image.pixelColor(view_point(window, x, y))


def export_colour(window, x, y) -> QColor:
    left, top, _, _ = window.document.output_box()
    return render(window.document).pixelColor(round(x - left), round(y - top))


def is_reddish(colour: QColor) -> bool:
    return colour.red() > 180 and colour.green() < 110 and colour.blue() < 110


STROKES = {
    # tool id: (drag start, drag end, a point on what is drawn)
    "arrow": ((50, 50), (250, 50), (150, 50)),
    "line": ((50, 100), (250, 100), (150, 100)),
    "rectangle": ((60, 60), (200, 200), (60, 130)),
    "ellipse": ((60, 60), (260, 200), (60, 130)),
    "pen": ((40, 250), (300, 250), (170, 250)),
}


@pytest.mark.parametrize("tool_id", sorted(STROKES))
def test_drawing_tools_on_the_window(qtbot, make_window, grey_png, tool_id):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    start, end, on_it = STROKES[tool_id]
    drag(window, tool_id, start, end)
    (annotation,) = window.document.annotations
    assert annotation.kind == tool_id
    assert annotation.style.colour == "#E53935"  # the remembered default for the tool
    assert is_reddish(screen_colour(window, *on_it))
    assert is_reddish(export_colour(window, *on_it))
    assert screen_colour(window, 350, 20) == QColor(128, 128, 128)  # untouched elsewhere


def test_highlighter_keeps_the_picture_readable(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    drag(window, "highlighter", (40, 150), (300, 150))
    assert window.document.annotations[0].kind == "highlighter"
    on_screen, exported = screen_colour(window, 150, 150), export_colour(window, 150, 150)
    assert on_screen == exported  # what is seen is what is sent
    assert on_screen.red() > on_screen.blue() + 40  # yellow-tinted grey, multiplied


@pytest.mark.parametrize("tool_id", ["redaction", "redaction-brush"])
def test_redaction_tools_black_out_pixels(qtbot, make_window, pattern_png, tool_id):
    window = make_window()
    open_and_wait(qtbot, window, pattern_png)
    window.canvas.zoom_to(1.0)
    drag(window, tool_id, (100, 60), (300, 80))
    (annotation,) = window.document.annotations
    assert annotation.kind == tool_id and annotation.redacts
    for point in ((150, 70), (250, 70)):
        assert screen_colour(window, *point) == QColor(0, 0, 0)
        assert export_colour(window, *point) == QColor(0, 0, 0)


def test_numbered_markers_count_up(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    for x in (80, 160, 240):
        drag(window, "marker", (x, 100), (x, 100), steps=1)
    assert [a.number for a in window.document.annotations] == [1, 2, 3]
    assert is_reddish(screen_colour(window, 160 - 15, 100))


def test_text_callout_typed_in_place_and_edited(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    drag(window, "text", (60, 60), (60, 60), steps=1)
    editor = window.text_editor
    assert editor.isVisible() and editor.hasFocus()
    QTest.keyClicks(editor, "Crackles R base")
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not editor.isVisible()
    (callout,) = window.document.annotations
    assert callout.kind == "text" and callout.text == "Crackles R base"
    assert callout.position == pytest.approx((60, 60), abs=1)
    # the callout's white box is painted where it was typed
    assert screen_colour(window, 64, 64).lightness() > 220
    # click it again: the same editor opens with its text; typing replaces it
    drag(window, "text", (70, 70), (70, 70), steps=1)
    assert editor.isVisible() and editor.toPlainText() == "Crackles R base"
    QTest.keyClicks(editor, "Consolidation")
    QTest.keyClick(editor, Qt.Key.Key_Tab)  # focus leaves: committed
    assert window.document.annotations[0].text == "Consolidation"
    assert window.document.annotations[0].id == callout.id
    window.undo_stack.undo()
    assert window.document.annotations[0].text == "Crackles R base"


def test_escape_keeps_the_typed_words_and_undo_removes_them(qtbot, make_window, grey_png):
    """Esc finishes a callout as a click outside does: a tester's first callout vanished
    when Esc threw typed words away unasked."""
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    drag(window, "text", (60, 60), (60, 60), steps=1)
    QTest.keyClicks(window.text_editor, "rising HR")
    QTest.keyClick(window.text_editor, Qt.Key.Key_Escape)
    assert not window.text_editor.is_open
    assert [a.text for a in window.document.annotations] == ["rising HR"]
    window.undo_stack.undo()
    assert window.document.annotations == ()


def test_the_callout_box_grows_with_wrapped_lines(qtbot, make_window, grey_png):
    """Every line typed stays in view, wrapped ones too, not only new paragraphs."""
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    drag(window, "text", (20, 60), (20, 60), steps=1)
    editor = window.text_editor
    QTest.keyClicks(editor, "alpha")
    one_line = editor.height()
    QTest.keyClicks(editor, " beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu")
    assert editor.height() >= one_line + editor.fontMetrics().lineSpacing()
    assert editor.verticalScrollBar().value() == 0  # the first line is still shown
    QTest.keyClick(editor, Qt.Key.Key_Escape)


def test_tool_keys_choose_tools(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.setFocus()
    for key, tool_id in ((Qt.Key.Key_A, "arrow"), (Qt.Key.Key_X, "redaction"),
                         (Qt.Key.Key_B, "redaction-brush"), (Qt.Key.Key_N, "marker"),
                         (Qt.Key.Key_S, "select"), (Qt.Key.Key_C, "crop")):
        QTest.keyClick(window.canvas, key)
        assert window.canvas.tool.tool_id == tool_id


def test_colour_and_width_are_remembered_per_tool(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.choose_tool("pen")
    window.tool_strip.set_colour("#1E63D6")
    window.tool_strip.width_box.setValue(11)
    window.choose_tool("arrow")
    assert window.tool_strip.colour == "#E53935"
    drag(window, "pen", (40, 40), (200, 40))
    pen = window.document.annotations[0]
    assert pen.style.colour == "#1E63D6" and pen.style.width == 11
    second = make_window()  # a new window on the same settings remembers
    second.choose_tool("pen")
    assert second.tool_strip.colour == "#1E63D6" and second.tool_strip.width == 11


def test_a_press_before_any_picture_does_nothing(qtbot, make_window):
    window = make_window()
    viewport = window.canvas.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(50, 50))
    assert window.document is None


def test_widths_scale_with_the_picture_and_selection_shows_its_style(qtbot, make_window,
                                                                     tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (4000, 2000), (128, 128, 128)).save(path)
    window = make_window()
    open_and_wait(qtbot, window, path)
    drag(window, "arrow", (500, 500), (1500, 900))
    (arrow,) = window.document.annotations
    assert arrow.style.width == 4 * 2.5  # "4" means the same on screen as on a 1600-px picture
    window.choose_tool("select")
    drag(window, "select", (1000, 700), (1000, 700), steps=1)
    strip = window.tool_strip
    assert strip.colour_button.isEnabled() and strip.width == 4 and strip.colour == "#E53935"
    strip.width_box.setValue(8)
    assert window.document.annotations[0].style.width == 20
    assert prefs.tool_width("select").read(window.settings) == 4.0  # nothing stored for select
