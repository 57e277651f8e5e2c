"""Callouts and markers are painted whole inside the exported area (the picture or the crop).

A new user's long callout placed right of centre on a 3000x4000 photo was cut at the
picture's edge ("...please advise wheth"): the preview, the letter and the saved copy all
lacked the rest, and nothing warned. Every test here paints for real (Qt, Pillow).
"""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops
from PySide6.QtGui import QFontMetricsF

from medsnap import render
from medsnap.document import Document, Marker, Rect, Style, Text
from medsnap.document.serialization import document_from_json, document_to_json
from medsnap.imaging import Picture

pytestmark = pytest.mark.usefixtures("qapp")  # pytest-qt's QApplication, as test_render

SKIN = (200, 180, 160)
TESTER_TEXT = ("Wound edge erythema spreading since yesterday evening, please advise whether to "
               "start IV antibiotics and whether plastics need to review today before 5pm")
RED = "#E03030"


def picture(size, colour=SKIN) -> Picture:
    return Picture(image=Image.new("RGB", size, colour), page=0, page_count=1,
                   source_format="PNG")


def callout(text=TESTER_TEXT, at=(2100, 3135), size=70.0, box_width=None) -> Text:
    return Text(text=text, position=at, box_width=box_width,
                style=Style(colour=RED, font_size=size))


def is_ink(pixel) -> bool:
    return pixel[0] > 150 and pixel[1] < 120 and pixel[2] < 120


def painted_lines(document: Document, annotation: Text):
    return render.callout_layout(annotation, document.output_box())


def assert_whole_and_inside(document: Document, annotation: Text, out: Image.Image,
                            words_kept: bool = True) -> None:
    """The box lies inside the exported image, its lines are the whole text (words broken
    only when ``words_kept`` is False), and every line's last letters are inked."""
    left, top, right, bottom = document.output_box()
    assert out.size == (right - left, bottom - top)
    layout = painted_lines(document, annotation)
    x, y, w, h = layout.box
    assert left <= x and x + w <= right and top <= y and y + h <= bottom, (layout.box, out.size)
    joined = " ".join(line for line, _, _ in layout.lines)
    assert joined.replace(" ", "") == annotation.text.replace(" ", "")
    if words_kept:
        assert joined.split() == annotation.text.split()
    metrics = QFontMetricsF(render.font(layout.font_size))
    for line, line_x, baseline in layout.lines:
        band = range(max(int(baseline - metrics.ascent()), top) - top,
                     min(int(baseline + metrics.descent()), bottom) - top)
        inked = [px for px in range(int(x) - left, int(x + w) - left) for py in band
                 if is_ink(out.getpixel((px, py)))]
        end = line_x + metrics.horizontalAdvance(line) - left
        assert inked and max(inked) >= end - 0.6 * layout.font_size, (line, max(inked), end)


def assert_same_as_unlimited(document: Document, annotation: Text, out: Image.Image) -> None:
    """The same callout painted with no edge to limit it (on a far larger picture, at the
    place and width it was given) has exactly these pixels: nothing was left off."""
    layout = painted_lines(document, annotation)
    x, y, w, h = layout.box
    free = Text(text=annotation.text, position=(x, y), box_width=w,
                style=Style(colour=RED, font_size=layout.font_size))
    assert render.callout_layout(free).lines == layout.lines
    big = picture((int(x + w) + 2000, int(y + h) + 2000))
    reference = render.render_to_pil(Document(big, annotations=[free]))
    left, top = document.output_box()[:2]
    box = (int(x) - 1, int(y) - 1, int(x + w) + 1, int(y + h) + 1)
    shifted = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
    assert out.crop(shifted).tobytes() == reference.crop(box).tobytes()


def test_the_testers_long_callout_right_of_centre_is_exported_whole():
    document = Document(picture((3000, 4000)), annotations=[callout()])
    out = render.render_to_pil(document)
    (annotation,) = document.annotations
    layout = painted_lines(document, annotation)
    assert len(layout.lines) > 1  # wrapped, not run off the edge
    assert layout.box[0] == 2100 and layout.box[1] == 3135  # where it was placed
    assert_whole_and_inside(document, annotation, out)
    assert_same_as_unlimited(document, annotation, out)
    # without the edge the text would have run off: the old single line was wider
    assert render.callout_layout(annotation).box[2] > 3000 - 2100


def test_the_canvas_and_the_export_measure_the_same_box():
    document = Document(picture((3000, 4000)), annotations=[callout()])
    (annotation,) = document.annotations
    from medsnap.ui.canvas import measure_in

    box = measure_in(document)(annotation)
    fitted = render.text_rect(annotation, document.output_box())
    assert (box.x, box.y, box.width, box.height) == pytest.approx(
        (fitted.x(), fitted.y(), fitted.width(), fitted.height()))


def test_a_callout_in_a_crop_wraps_at_the_crops_right_edge():
    crop = Rect(400, 300, 1400, 1200)
    annotation = callout(at=(1300, 900), size=50.0)
    document = Document(picture((3000, 4000)), crop=crop, annotations=[annotation])
    out = render.render_to_pil(document)
    layout = painted_lines(document, annotation)
    assert layout.box[0] + layout.box[2] <= 1800  # the crop's right edge, not the picture's
    assert_whole_and_inside(document, annotation, out)
    assert_same_as_unlimited(document, annotation, out)


@pytest.mark.parametrize("at", [(2995, 3990), (2999.5, 10), (2980, 2000)])
def test_a_callout_clicked_at_the_edge_moves_in_whole(at):
    annotation = callout(at=at)
    document = Document(picture((3000, 4000)), annotations=[annotation])
    out = render.render_to_pil(document)
    layout = painted_lines(document, annotation)
    assert layout.box[0] < at[0]  # moved left: there was no room where it was clicked
    assert layout.box[2] >= min(render.callout_layout(annotation).box[2], 12 * 70) - 1
    assert_whole_and_inside(document, annotation, out)
    assert_same_as_unlimited(document, annotation, out)


def test_a_stored_callout_without_a_width_is_fitted_when_reopened():
    """Drafts and documents saved before the fix have box_width null: still exported whole."""
    saved = document_to_json(Document(picture((3000, 4000)), annotations=[callout()]))
    assert saved["annotations"][0]["box_width"] is None
    document = document_from_json(saved, picture((3000, 4000)))
    (annotation,) = document.annotations
    assert annotation.box_width is None  # the stored data is not rewritten
    assert_whole_and_inside(document, annotation, render.render_to_pil(document))


def test_a_resized_callout_keeps_its_width_where_there_is_room_and_narrows_at_the_edge():
    roomy = callout(at=(100, 100), box_width=900.0)
    assert render.text_rect(roomy, (0, 0, 3000, 4000)).width() == pytest.approx(900)
    squeezed = callout(at=(2400, 100), box_width=2000.0)
    document = Document(picture((3000, 4000)), annotations=[squeezed])
    assert_whole_and_inside(document, squeezed, render.render_to_pil(document))


def test_a_short_callout_with_room_is_painted_as_before():
    annotation = callout(text="Look here", at=(2500, 400))
    area = (0, 0, 3000, 4000)
    assert render.callout_layout(annotation, area) == render.callout_layout(annotation)


def test_a_word_wider_than_the_picture_is_broken_not_cut():
    url = "https://ward.example/records/" + "x" * 120
    annotation = callout(text=f"see {url}", at=(50, 50), size=30.0)
    document = Document(picture((800, 600)), annotations=[annotation])
    assert_whole_and_inside(document, annotation, render.render_to_pil(document),
                            words_kept=False)
    assert len(painted_lines(document, annotation).lines) >= 3


def test_a_long_text_in_a_small_crop_gets_smaller_rather_than_cut():
    crop = Rect(0, 0, 600, 160)
    annotation = callout(at=(20, 20), size=40.0)
    document = Document(picture((1000, 1000)), crop=crop, annotations=[annotation])
    out = render.render_to_pil(document)
    layout = painted_lines(document, annotation)
    assert layout.font_size < 40
    assert_whole_and_inside(document, annotation, out)


def test_a_callout_the_crop_leaves_out_stays_out():
    annotation = callout(at=(2500, 3500))
    document = Document(picture((3000, 4000)), crop=Rect(0, 0, 1000, 1000),
                        annotations=[annotation])
    out = render.render_to_pil(document)
    assert painted_lines(document, annotation) == render.callout_layout(annotation)
    assert not any(is_ink(p) for p in out.get_flattened_data())


@pytest.mark.parametrize("centre", [(2999, 3999), (0, 2000), (1500, 2)])
def test_a_numbered_marker_at_the_edge_shows_its_whole_number(centre):
    marker = Marker(number=12, centre=centre, style=Style(colour=RED, font_size=120))
    document = Document(picture((3000, 4000)), annotations=[marker])
    out = render.render_to_pil(document)
    x, y = render.marker_centre(marker, document.output_box())
    half_w, half_h = render.marker_half_size(marker)
    assert half_w <= x <= 3000 - half_w and half_h <= y <= 4000 - half_h
    # the same marker painted far from any edge: the same pixels around its centre
    free = Marker(number=12, centre=(x + 500, y + 500), style=marker.style)
    reference = render.render_to_pil(Document(picture((4500, 5500)), annotations=[free]))
    box = (int(x - half_w), int(y - half_h), int(x + half_w), int(y + half_h))
    moved = tuple(v + 500 for v in box)
    difference = ImageChops.difference(out.crop(box), reference.crop(moved))
    assert max(high for _, high in difference.getextrema()) <= 3  # antialiasing rounding


def test_a_callout_moved_in_from_the_edge_drags_and_resizes_from_where_it_is_painted():
    """The select tool starts from the painted box: a drag of 100 px moves what is seen by
    100 px (it did not move at all until the pointer passed the spot off the picture)."""
    from medsnap.document.tools import PointerEvent, SelectTool
    from medsnap.ui.canvas import measure_in

    annotation = callout(text="NBM from midnight, theatre list tomorrow", at=(2995, 3990))
    document = Document(picture((3000, 4000)), annotations=[annotation])
    measured = measure_in(document)
    tool = SelectTool(document, Style(), measured)
    before = measured(annotation)
    grab = (before.x + 40, before.y + 20)
    tool.press(PointerEvent(*grab))
    edit = tool.release(PointerEvent(grab[0] - 100, grab[1] - 60))
    edit.apply(document)
    (moved,) = document.annotations
    after = measured(moved)
    assert (after.x, after.y) == pytest.approx((before.x - 100, before.y - 60))
    assert after.right <= 3000 and after.width >= before.width  # wraps to the room it has
    # its right-edge handle narrows it from where it is painted, not from the click spot
    tool.selected_id = moved.id
    edge = (after.right, after.y + after.height / 2)
    tool.press(PointerEvent(*edge))
    tool.release(PointerEvent(edge[0] - 200, edge[1])).apply(document)
    (narrowed,) = document.annotations
    assert measured(narrowed).x == pytest.approx(after.x)
    assert measured(narrowed).right == pytest.approx(after.right - 200)
    assert_whole_and_inside(document, narrowed, render.render_to_pil(document))


def test_a_marker_moved_in_from_the_edge_is_nudged_from_where_it_is_painted():
    from medsnap.document.tools import SelectTool
    from medsnap.ui.canvas import measure_in

    marker = Marker(number=3, centre=(2999, 10), style=Style(colour=RED, font_size=60))
    document = Document(picture((3000, 4000)), annotations=[marker])
    tool = SelectTool(document, Style(), measure_in(document))
    tool.selected_id = marker.id
    painted = render.marker_centre(marker, document.output_box())
    tool.nudge(-10, 0).apply(document)
    (nudged,) = document.annotations
    assert render.marker_centre(nudged, document.output_box()) == pytest.approx(
        (painted[0] - 10, painted[1]))


@pytest.mark.parametrize("at", [(300, 700), (900, 450), (1700, 1450)])
def test_a_callout_the_crop_cuts_through_is_moved_into_it_whole(at):
    """Left of or above the crop but reaching into it, or at its corner: all of it is kept."""
    crop = Rect(400, 500, 1400, 1000)
    annotation = callout(text="Pressure area: grade 2, dressing changed 14:00", at=at,
                         size=50.0)
    document = Document(picture((3000, 4000)), crop=crop, annotations=[annotation])
    assert_whole_and_inside(document, annotation, render.render_to_pil(document))
