"""Drawing, redacting and adjusting with the keyboard alone, on the real window: a tool's key,
Enter to draw in the middle of the view, arrows to move, Ctrl+arrows to resize, Tab to pick."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from medsnap.document.geometry import Rect
from medsnap.render import render
from medsnap.ui.tool_catalogue import TOOLS
from ui_support import open_and_wait

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
DRAWN = [entry for entry in TOOLS if entry.tool_id not in ("select", "crop", "text")]


def keys(window, *presses) -> None:
    window.canvas.setFocus()
    for key, *modifier in presses:
        QTest.keyClick(window.canvas, key, *modifier)


def tool_key(entry) -> Qt.Key:
    return getattr(Qt.Key, f"Key_{entry.key}")


@pytest.fixture
def opened(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)  # the whole 400x300 picture in view
    return window


@pytest.mark.parametrize("entry", DRAWN, ids=lambda entry: entry.tool_id)
def test_enter_draws_each_tool_in_the_middle_of_the_view_and_selects_it(opened, entry):
    keys(opened, (tool_key(entry),), (Qt.Key.Key_Return,))
    (annotation,) = opened.document.annotations
    assert annotation.kind == entry.tool_id
    box = annotation.bounds()
    assert box.x <= 200 <= box.right and box.y <= 150 <= box.bottom  # around the middle
    assert Rect(-20, -20, 440, 340).contains_rect(box)  # on the picture (a stroke's width aside)
    assert opened.tool_strip.tool_id == "select"
    assert opened.canvas.tool.selected_id == annotation.id
    assert opened.actions.delete.isEnabled()
    assert "arrow keys move it" in opened.status.hint.text()
    opened.undo_stack.undo()
    assert opened.document.annotations == ()


def test_a_redaction_box_drawn_moved_and_resized_by_keys_blacks_out_the_pixels(opened):
    keys(opened, (Qt.Key.Key_X,), (Qt.Key.Key_Return,))
    (box,) = opened.document.annotations
    assert box.redacts
    before = box.rect
    keys(opened, (Qt.Key.Key_Right, SHIFT), (Qt.Key.Key_Down,),  # move 10 right, 1 down
         (Qt.Key.Key_Right, CTRL), (Qt.Key.Key_Down, CTRL | SHIFT))  # 1 wider, 10 taller
    after = opened.document.annotations[0].rect
    assert (after.x, after.y) == (before.x + 10, before.y + 1)
    assert (after.width, after.height) == (before.width + 1, before.height + 10)
    picture = render(opened.document)
    inside = picture.pixelColor(round(after.x + 2), round(after.bottom - 2))
    outside = picture.pixelColor(round(after.x - 3), round(after.y))
    assert (inside.red(), inside.green(), inside.blue()) == (0, 0, 0)
    assert (outside.red(), outside.green(), outside.blue()) == (128, 128, 128)
    assert opened.undo_stack.count() == 5  # drawn, two moves, two resizes: each undoable


def test_steps_are_screen_pixels_so_a_zoomed_out_photo_still_moves(opened):
    opened.canvas.zoom_to(0.25)  # one screen pixel is four picture pixels
    keys(opened, (Qt.Key.Key_R,), (Qt.Key.Key_Return,))
    before = opened.document.annotations[0].rect
    keys(opened, (Qt.Key.Key_Left, SHIFT), (Qt.Key.Key_Up, CTRL))
    after = opened.document.annotations[0].rect
    assert after.x == before.x - 40 and after.height == before.height - 4


def test_enter_draws_inside_the_crop_only(opened):
    opened.tool_binding.crop_entered(Rect(250, 200, 100, 80))
    keys(opened, (Qt.Key.Key_E,), (Qt.Key.Key_Return,))
    (ellipse,) = opened.document.annotations
    assert Rect(250, 200, 100, 80).contains_rect(ellipse.rect)


def test_text_callout_from_the_keyboard(opened, qtbot):
    keys(opened, (Qt.Key.Key_T,), (Qt.Key.Key_Return,))
    editor = QApplication.focusWidget()
    assert editor is not opened.canvas
    QTest.keyClicks(editor, "fracture here")
    QTest.keyClick(editor, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: len(opened.document.annotations) == 1)
    (callout,) = opened.document.annotations
    assert callout.kind == "text" and callout.text == "fracture here"


def test_select_tool_picks_with_enter_and_tab_and_esc_lets_tab_leave(opened):
    keys(opened, (Qt.Key.Key_A,), (Qt.Key.Key_Return,), (Qt.Key.Key_N,), (Qt.Key.Key_Return,))
    arrow, marker = opened.document.annotations
    tool = opened.canvas.tool
    keys(opened, (Qt.Key.Key_Escape,))
    assert tool.selected_id is None
    keys(opened, (Qt.Key.Key_Return,))
    assert tool.selected_id == marker.id  # the last one drawn
    keys(opened, (Qt.Key.Key_Tab,))
    assert tool.selected_id == arrow.id and opened.canvas.hasFocus()  # wraps round
    keys(opened, (Qt.Key.Key_Backtab, SHIFT))
    assert tool.selected_id == marker.id
    keys(opened, (Qt.Key.Key_Escape,))
    assert tool.selected_id is None and not opened.actions.delete.isEnabled()
    QTest.keyClick(opened.canvas, Qt.Key.Key_Tab)
    assert not opened.canvas.hasFocus()  # nothing selected: Tab moves on, no keyboard trap


def test_delete_from_the_keyboard_after_tab(opened):
    keys(opened, (Qt.Key.Key_L,), (Qt.Key.Key_Return,), (Qt.Key.Key_Delete,))
    assert opened.document.annotations == ()


def test_arrow_keys_scroll_the_picture_while_nothing_is_selected(opened):
    opened.canvas.zoom_to(4.0)
    bar = opened.canvas.horizontalScrollBar()
    before = bar.value()
    keys(opened, (Qt.Key.Key_S,), (Qt.Key.Key_Right,), (Qt.Key.Key_Right,))
    assert bar.value() > before and opened.document.annotations == ()


def test_a_drag_on_a_redaction_in_the_window_leaves_it_in_place(opened, qtbot):
    from ui_support import drag

    keys(opened, (Qt.Key.Key_X,), (Qt.Key.Key_Return,), (Qt.Key.Key_Escape,))
    (box,) = opened.document.annotations
    centre = box.rect.centre
    drag(opened, "select", centre, (centre[0] + 120, centre[1] + 80))
    assert opened.document.annotations == (box,) and opened.undo_stack.count() == 1
    assert opened.canvas.tool.selected_id == box.id
    assert "stays put" in opened.status.hint.text()
    keys(opened, (Qt.Key.Key_Escape,))
    assert "stays put" not in opened.status.hint.text()
