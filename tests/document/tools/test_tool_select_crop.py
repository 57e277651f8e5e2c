"""Select (hit-test, move, resize, restyle, delete) and crop, driven by synthetic events."""

from __future__ import annotations

import pytest

from medsnap.document.annotations import Arrow, Highlighter, Pen, Rectangle, Redaction, Text
from medsnap.document.edits import AddAnnotation, SetCrop
from medsnap.document.geometry import Rect
from medsnap.document.model import Document
from medsnap.document.style import Style
from medsnap.document.tools import PointerEvent, crop_edit, make_tool


def gesture(tool, start, end, scale=1.0):
    tool.press(PointerEvent(*start, pixels_per_screen_pixel=scale))
    tool.move(PointerEvent((start[0] + end[0]) / 2, (start[1] + end[1]) / 2,
                           pixels_per_screen_pixel=scale))
    return tool.release(PointerEvent(*end, pixels_per_screen_pixel=scale))


@pytest.fixture
def doc():
    document = Document(size=(400, 300))
    for annotation in (
        Rectangle(rect=Rect(100, 100, 100, 50), style=Style(width=4)),
        Arrow(start=(10, 10), end=(90, 10), style=Style(width=4)),
        Pen(points=((300, 200), (350, 250)), style=Style(width=6)),
        Redaction(rect=Rect(150, 110, 20, 20)),
    ):
        AddAnnotation(annotation).apply(document)
    return document


def test_click_selects_the_topmost_annotation(doc):
    tool = make_tool("select", doc)
    tool.press(PointerEvent(160, 120))  # inside both the rectangle and the redaction on top
    assert tool.selected().kind == "redaction"
    tool.release(PointerEvent(160, 120))
    tool.press(PointerEvent(50, 12))  # 2 px from the arrow's shaft
    assert tool.selected().kind == "arrow"
    tool.release(PointerEvent(50, 12))
    tool.press(PointerEvent(325, 226))
    assert tool.selected().kind == "pen"
    tool.release(PointerEvent(325, 226))
    tool.press(PointerEvent(50, 200))  # empty space clears the selection
    assert tool.selected() is None


def test_drag_moves_and_undo_puts_it_back(doc):
    tool = make_tool("select", doc)
    before = doc.snapshot()
    tool.press(PointerEvent(120, 140))
    tool.move(PointerEvent(130, 150))
    assert tool.preview().rect == Rect(110, 110, 100, 50)
    assert tool.hidden_ids() == {tool.selected_id}
    edit = tool.release(PointerEvent(140, 160))
    assert edit.label == "Move rectangle"
    edit.apply(doc)
    assert doc.get(tool.selected_id).rect == Rect(120, 120, 100, 50)
    edit.revert(doc)
    assert doc.snapshot() == before


def test_a_click_without_movement_changes_nothing(doc):
    tool = make_tool("select", doc)
    assert gesture(tool, (120, 140), (120, 140)) is None
    assert tool.selected().kind == "rectangle"


def test_handles_resize_boxes_and_segment_ends(doc):
    tool = make_tool("select", doc)
    gesture(tool, (120, 140), (120, 140))  # select the rectangle
    edit = gesture(tool, (200, 150), (250, 200))  # drag the south-east handle
    assert edit.label == "Resize rectangle"
    assert edit.after.rect == Rect(100, 100, 150, 100)
    edit.apply(doc)
    gesture(tool, (50, 10), (50, 10))  # select the arrow
    edit = gesture(tool, (90, 10), (90, 80))  # drag its head
    assert isinstance(edit.after, Arrow) and edit.after.end == (90, 80)
    assert edit.after.start == (10, 10)


def test_handles_are_easier_to_grab_when_zoomed_out(doc):
    tool = make_tool("select", doc)
    gesture(tool, (120, 140), (120, 140))
    # 20 px off the corner: a handle at 4 image px per screen px, not at 1
    edit = gesture(tool, (219, 169), (260, 200), scale=4.0)
    assert edit.label.startswith("Resize")


def test_restyle_and_delete_the_selection(doc):
    tool = make_tool("select", doc)
    gesture(tool, (120, 140), (120, 140))
    edit = tool.restyle(colour="#00FF00", width=9)
    assert edit.after.style.colour == "#00FF00" and edit.after.style.width == 9
    edit.apply(doc)
    removal = tool.delete_selected()
    removal.apply(doc)
    assert all(a.kind != "rectangle" for a in doc.annotations)
    assert tool.selected() is None and tool.delete_selected() is None


def test_redactions_cannot_be_recoloured(doc):
    tool = make_tool("select", doc)
    gesture(tool, (160, 120), (160, 120))
    assert tool.restyle(colour="#FFFFFF") is None


def test_nudge_moves_by_whole_pixels(doc):
    tool = make_tool("select", doc)
    gesture(tool, (50, 12), (50, 12))
    edit = tool.nudge(1, 0)
    assert edit.after.start == (11, 10)


def test_crop_drag_creates_an_undoable_crop(doc):
    tool = make_tool("crop", doc)
    edit = gesture(tool, (20.4, 30.6), (220.2, 180.7))
    assert isinstance(edit, SetCrop) and edit.after == Rect(20, 31, 200, 150)
    edit.apply(doc)
    assert doc.crop == Rect(20, 31, 200, 150)
    edit.revert(doc)
    assert doc.crop is None


def test_crop_is_limited_to_the_picture_and_handles_adjust_it(doc):
    tool = make_tool("crop", doc)
    gesture(tool, (-50, -50), (100, 100)).apply(doc)
    assert doc.crop == Rect(0, 0, 100, 100)
    edit = gesture(tool, (100, 100), (150, 120))  # south-east handle
    assert edit.after == Rect(0, 0, 150, 120)
    edit.apply(doc)
    move = gesture(tool, (50, 50), (500, 60))  # drag inside: move, stopped at the edge
    assert move.after == Rect(250, 10, 150, 120)


def test_a_click_does_not_crop(doc):
    assert gesture(make_tool("crop", doc), (10, 10), (11, 12)) is None


def test_numeric_crop_entry(doc):
    edit = crop_edit(doc, Rect(10, 10, 1000, 50))
    assert edit.after == Rect(10, 10, 390, 50)
    edit.apply(doc)
    assert crop_edit(doc, Rect(10, 10, 390, 50)) is None
    removal = crop_edit(doc, Rect(0, 0, 400, 300))  # the whole picture: no crop
    assert removal.after is None


def test_text_callout_resizes_by_its_right_handle():
    document = Document(size=(400, 300))
    callout = Text(text="a long callout", position=(10, 10), style=Style(font_size=20))
    AddAnnotation(callout).apply(document)
    tool = make_tool("select", document)
    gesture(tool, (20, 20), (20, 20))
    box = callout.bounds()
    edit = gesture(tool, (box.right, box.centre[1]), (110, box.centre[1]))
    assert edit.after.box_width == pytest.approx(100)


def test_highlighter_is_selectable_by_its_wide_stroke():
    document = Document(size=(400, 300))
    AddAnnotation(Highlighter(points=((10, 100), (300, 100)))).apply(document)
    tool = make_tool("select", document)
    tool.press(PointerEvent(150, 110))  # inside the 24 px wide band
    assert tool.selected().kind == "highlighter"


def test_a_measure_from_the_painter_decides_what_text_covers():
    document = Document(size=(400, 300))
    callout = Text(text="wide", position=(10, 10), style=Style(font_size=20))
    AddAnnotation(callout).apply(document)
    exact = Rect(10, 10, 300, 40)  # say the painter's font is much wider than the estimate
    tool = make_tool("select", document, measure=lambda a: exact if a.kind == "text" else a.bounds())
    tool.press(PointerEvent(290, 30))
    assert tool.selected() == callout
    tool.release(PointerEvent(290, 30))
    edit = gesture(tool, (310, 30), (360, 30))  # its right-edge handle sits at the exact edge
    assert edit.label == "Resize text"


def test_size_unit_grows_with_big_pictures():
    from medsnap.document.tools import size_unit

    assert size_unit(Document(size=(1280, 800))) == 1.0
    assert size_unit(Document(size=(4000, 3000))) == 2.5


def test_dragging_a_redaction_selects_it_but_never_moves_it(doc):
    """A slip of the mouse on a black box must not uncover what it hides."""
    tool = make_tool("select", doc)
    assert gesture(tool, (160, 120), (260, 220)) is None
    assert doc.find(tool.selected_id).rect == Rect(150, 110, 20, 20)
    assert tool.nudge(10, 0).after.rect == Rect(160, 110, 20, 20)  # the keys still move it
    edit = gesture(tool, (170, 130), (190, 150))  # and its handle still resizes it
    assert edit.after.rect == Rect(150, 110, 40, 40)
