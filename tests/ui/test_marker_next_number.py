"""The numbered marker's "Next" box: a clinician replying to a picture whose sender numbered
it (the numbers arrive as pixels) carries on from them instead of starting again at 1."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ui_support import drag, open_and_wait


def _type_next(window, number: int) -> None:
    """As a clinician does: into the box, select what is there, type, Enter."""
    box = window.tool_strip.next_box
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, str(number))
    QTest.keyClick(box, Qt.Key.Key_Return)


def _next_shown(window) -> tuple[int, int, bool]:
    strip = window.tool_strip
    return (strip.next_box.minimum(), strip.next_box.value(),
            all(action.isVisible() for action in strip.next_actions))


def test_next_carries_on_from_a_chosen_number_and_follows_undo(qtbot, make_window, grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    window.choose_tool("marker")
    assert _next_shown(window) == (1, 1, True)

    _type_next(window, 4)
    for x in (80, 160):
        drag(window, "marker", (x, 100), (x, 100), steps=1)
    assert [a.number for a in window.document.annotations] == [4, 5]
    assert _next_shown(window) == (6, 6, True)  # never below a number already placed

    window.undo_stack.undo()
    window.undo_stack.undo()
    assert not window.document.annotations
    assert _next_shown(window) == (1, 4, True)  # the chosen start is kept

    window.choose_tool("arrow")
    assert not any(action.isVisible() for action in window.tool_strip.next_actions)


def test_next_is_kept_when_another_tool_is_chosen_before_a_marker(qtbot, make_window, grey_png):
    """Raise Next, draw an arrow to what the sender's 3 points at, then mark: 4, not 1."""
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    window.choose_tool("marker")
    _type_next(window, 4)
    window.choose_tool("arrow")
    drag(window, "arrow", (40, 40), (120, 90))
    window.choose_tool("marker")
    assert _next_shown(window) == (1, 4, True)
    drag(window, "marker", (160, 100), (160, 100), steps=1)
    assert [a.number for a in window.document.annotations if a.kind == "marker"] == [4]


def test_a_new_picture_starts_again_at_one(qtbot, make_window, grey_png, tmp_path):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.choose_tool("marker")
    _type_next(window, 7)
    drag(window, "marker", (80, 100), (80, 100), steps=1)
    assert [a.number for a in window.document.annotations] == [7]

    open_and_wait(qtbot, window, grey_png.read_bytes())
    window.choose_tool("marker")
    assert _next_shown(window) == (1, 1, True)
    drag(window, "marker", (80, 100), (80, 100), steps=1)
    assert [a.number for a in window.document.annotations] == [1]


def test_enter_in_next_or_size_hands_the_keyboard_back_to_the_picture(qtbot, make_window,
                                                                       grey_png):
    """After typing a number and Enter, the one-key tool shortcuts and Ctrl+Z work again
    (they went to the box: "A" typed nothing, Ctrl+Z undid the typing, not the marker)."""
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.canvas.zoom_to(1.0)
    window.choose_tool("marker")
    _type_next(window, 4)
    assert window.canvas.hasFocus()
    drag(window, "marker", (80, 100), (80, 100), steps=1)
    assert [a.number for a in window.document.annotations] == [4]

    strip = window.tool_strip
    strip.width_box.setFocus()
    strip.width_box.selectAll()
    QTest.keyClicks(strip.width_box, "30")
    QTest.keyClick(strip.width_box, Qt.Key.Key_Return)
    assert strip.width == 30
    assert window.canvas.hasFocus()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.document.annotations  # the marker undone, the Size kept
    assert strip.width == 30
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_A)
    assert strip.tool_id == "arrow"


def test_escape_in_next_leaves_the_number_and_goes_back_to_the_picture(qtbot, make_window,
                                                                        grey_png):
    window = make_window()
    open_and_wait(qtbot, window, grey_png)
    window.choose_tool("marker")
    box = window.tool_strip.next_box
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "9")
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()
    assert box.value() == 1  # not taken: Escape abandons the typing


def test_with_no_picture_next_is_one_and_off(qtbot, make_window, grey_png):
    """Switch user puts the picture away: the next clinician does not see the last one's 7."""
    window = make_window()
    window.choose_tool("marker")
    assert _next_shown(window)[1] == 1 and not window.tool_strip.next_box.isEnabled()
    open_and_wait(qtbot, window, grey_png)
    window.choose_tool("marker")
    assert window.tool_strip.next_box.isEnabled()
    _type_next(window, 7)
    drag(window, "marker", (80, 100), (80, 100), steps=1)
    window.close_document()
    assert _next_shown(window) == (1, 1, True)
    assert not window.tool_strip.next_box.isEnabled()
    open_and_wait(qtbot, window, grey_png.read_bytes())
    assert _next_shown(window) == (1, 1, True) and window.tool_strip.next_box.isEnabled()
