"""Drawing tools fed with synthetic pointer events: no window, just the document."""

from __future__ import annotations

import pytest

from medsnap.document.annotations import (
    Arrow, Ellipse, Highlighter, Line, Marker, Pen, Rectangle, Redaction, RedactionBrush, Text)
from medsnap.document.edits import AddAnnotation, RemoveAnnotation, ReplaceAnnotation
from medsnap.document.geometry import Rect
from medsnap.document.model import Document
from medsnap.document.tools import (
    TOOLS, Modifiers, PointerEvent, make_tool, next_number, style_for)


def drag(tool, points, modifiers=Modifiers.NONE, scale=1.0):
    (x0, y0), *rest = points
    assert tool.press(PointerEvent(x0, y0, modifiers=modifiers, pixels_per_screen_pixel=scale)) is None
    for x, y in rest[:-1]:
        assert tool.move(PointerEvent(x, y, modifiers=modifiers, pixels_per_screen_pixel=scale)) is None
    x1, y1 = rest[-1] if rest else (x0, y0)
    return tool.release(PointerEvent(x1, y1, modifiers=modifiers, pixels_per_screen_pixel=scale))


@pytest.fixture
def doc():
    return Document(size=(400, 300))


def tool_for(tool_id, doc, colour="#112233", size=6.0):
    return make_tool(tool_id, doc, style_for(tool_id, colour, size))


def test_tool_ids_and_keys_are_unique_and_complete():
    ids = [info.tool_id for info in TOOLS]
    keys = [info.key for info in TOOLS]
    assert ids == ["select", "crop", "arrow", "line", "rectangle", "ellipse", "pen",
                   "highlighter", "text", "marker", "redaction", "redaction-brush"]
    assert keys == list("SCALREPHTNXB")
    assert all(info.cls.tool_id == info.tool_id for info in TOOLS)


@pytest.mark.parametrize("tool_id, kind", [("arrow", Arrow), ("line", Line)])
def test_segment_tools_place_start_and_end(doc, tool_id, kind):
    tool = tool_for(tool_id, doc)
    tool.press(PointerEvent(10, 20))
    tool.move(PointerEvent(50, 60))
    assert tool.preview() == kind(id=tool.preview().id, start=(10, 20), end=(50, 60),
                                  style=tool.preview().style)
    edit = tool.release(PointerEvent(110, 90))
    assert isinstance(edit, AddAnnotation) and tool.preview() is None
    edit.apply(doc)
    (placed,) = doc.annotations
    assert isinstance(placed, kind)
    assert placed.start == (10, 20) and placed.end == (110, 90)
    assert placed.style.colour == "#112233" and placed.style.width == 6.0


def test_shift_snaps_a_line_to_45_degrees(doc):
    edit = drag(tool_for("line", doc), [(0, 0), (100, 90)], Modifiers.SHIFT)
    start, end = edit.annotation.start, edit.annotation.end
    assert end[0] == pytest.approx(end[1])  # 45 degrees
    assert start == (0, 0)


@pytest.mark.parametrize("tool_id, kind", [("rectangle", Rectangle), ("ellipse", Ellipse),
                                           ("redaction", Redaction)])
def test_box_tools_normalise_a_drag_in_any_direction(doc, tool_id, kind):
    edit = drag(tool_for(tool_id, doc), [(200, 150), (120, 130), (50, 40)])
    assert isinstance(edit.annotation, kind)
    assert edit.annotation.rect == Rect(50, 40, 150, 110)


def test_shift_makes_a_square(doc):
    edit = drag(tool_for("rectangle", doc), [(10, 10), (60, 30)], Modifiers.SHIFT)
    assert edit.annotation.rect == Rect(10, 10, 50, 50)


def test_a_click_without_a_drag_places_no_shape(doc):
    assert drag(tool_for("rectangle", doc), [(10, 10), (11, 11)]) is None
    # at 4 image pixels per screen pixel (zoomed out) a 8-pixel drag is still a click
    assert drag(tool_for("arrow", doc), [(10, 10), (18, 10)], scale=4.0) is None
    assert drag(tool_for("arrow", doc), [(10, 10), (18, 10)], scale=1.0) is not None


def test_redaction_is_always_opaque_black(doc):
    edit = drag(tool_for("redaction", doc, colour="#FF00FF"), [(0, 0), (30, 30)])
    assert edit.annotation.style.colour == "#000000" and edit.annotation.style.fill == "#000000"


@pytest.mark.parametrize("tool_id, kind", [("pen", Pen), ("highlighter", Highlighter),
                                           ("redaction-brush", RedactionBrush)])
def test_stroke_tools_record_the_path_and_thin_out_jitter(doc, tool_id, kind):
    path = [(10, 10), (10.2, 10.1), (20, 10), (30, 15), (30.3, 15.2), (40, 30)]
    edit = drag(tool_for(tool_id, doc, size=12), path)
    annotation = edit.annotation
    assert isinstance(annotation, kind)
    assert annotation.points == ((10, 10), (20, 10), (30, 15), (40, 30))
    if kind is RedactionBrush:
        assert annotation.width == 12
    else:
        assert annotation.style.width == 12


def test_a_pen_click_makes_a_dot(doc):
    edit = drag(tool_for("pen", doc), [(5, 5)])
    assert edit.annotation.points == ((5, 5), (5, 5))


def test_markers_count_up_from_the_highest_number(doc):
    tool = tool_for("marker", doc, size=20)
    assert next_number(doc) == 1
    for x in (10, 50):
        drag(tool, [(x, 10)]).apply(doc)
    assert [a.number for a in doc.annotations] == [1, 2]
    AddAnnotation(Marker(number=7, centre=(5, 5))).apply(doc)
    edit = drag(tool, [(90, 90)])
    assert edit.annotation.number == 8 and edit.annotation.centre == (90, 90)
    assert edit.annotation.style.font_size == 20


def test_markers_can_carry_on_from_a_chosen_number(doc):
    """A reply's picture shows its sender's numbers as pixels: the clinician picks where
    the new ones start; after that they count up from the highest again."""
    tool = tool_for("marker", doc)
    tool.first_number = 4
    assert next_number(doc, tool.first_number) == 4
    drag(tool, [(10, 10)]).apply(doc)
    drag(tool, [(50, 10)]).apply(doc)
    assert [a.number for a in doc.annotations] == [4, 5]
    tool.first_number = 2  # never below a number already used: no two markers alike
    assert drag(tool, [(90, 10)]).annotation.number == 6
    assert next_number(doc, 10_000) == 9999


def test_text_tool_adds_edits_and_deletes_callouts(doc):
    tool = tool_for("text", doc, size=24)
    assert drag(tool, [(40, 50)]) is None and tool.editing.position == (40, 50)
    edit = tool.commit("Fracture here  ")
    assert isinstance(edit, AddAnnotation) and tool.editing is None
    edit.apply(doc)
    (callout,) = doc.annotations
    assert isinstance(callout, Text) and callout.text == "Fracture here"
    assert callout.style.font_size == 24
    # clicking the callout edits it in place
    drag(tool, [(45, 55)])
    assert tool.editing.existing == callout and tool.editing.initial_text == "Fracture here"
    change = tool.commit("Fracture here, see 2")
    assert isinstance(change, ReplaceAnnotation) and change.after.text == "Fracture here, see 2"
    change.apply(doc)
    drag(tool, [(45, 55)])
    assert tool.commit("Fracture here, see 2") is None  # unchanged: nothing to undo
    drag(tool, [(45, 55)])
    removal = tool.commit("   ")
    assert isinstance(removal, RemoveAnnotation)
    # an empty new callout adds nothing
    drag(tool, [(300, 250)])
    assert tool.commit("") is None


def test_cancel_abandons_a_gesture(doc):
    tool = tool_for("rectangle", doc)
    tool.press(PointerEvent(0, 0))
    tool.move(PointerEvent(50, 50))
    assert tool.busy
    tool.cancel()
    assert tool.preview() is None and tool.release(PointerEvent(60, 60)) is None
