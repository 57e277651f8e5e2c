"""The one painter: pixels at known places, redactions opaque, crop and modes right."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from PySide6.QtGui import QImage, QPainter

from medsnap import render
from medsnap.document import (
    Arrow, Document, Highlighter, Line, Marker, Pen, Rect, Redaction, RedactionBrush, Style,
    Text,
)
from medsnap.imaging import Picture

# pytest-qt's QApplication first, so render never creates a bare QGuiApplication that
# would break later widget tests in the same process.
pytestmark = pytest.mark.usefixtures("qapp")

WHITE, BLACK = (255, 255, 255), (0, 0, 0)


def picture(image: Image.Image) -> Picture:
    return Picture(image=image, page=0, page_count=1, source_format="PNG")


def page(size=(200, 150), colour=WHITE, mode="RGB") -> Picture:
    return picture(Image.new(mode, size, colour))


def rendered(pic: Picture, *annotations, crop=None) -> Image.Image:
    return render.render_to_pil(Document(pic, crop=crop, annotations=annotations))


def close(actual, expected, tolerance=8):
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def test_arrow_shaft_and_head_are_painted_in_its_colour():
    arrow = Arrow(start=(20, 75), end=(180, 75), style=Style(colour="#0000FF", width=6))
    out = rendered(page(), arrow)
    for x in (25, 60, 120, 150, 175):
        assert close(out.getpixel((x, 75)), (0, 0, 255)), x
    assert out.getpixel((100, 60)) == WHITE  # beside the shaft: untouched
    assert out.getpixel((100, 85)) == WHITE
    assert close(out.getpixel((165, 75 + 6)), (0, 0, 255))  # the head is wider than the shaft


def test_arrow_head_grows_with_width():
    thin = rendered(page(), Arrow(start=(20, 75), end=(180, 75), style=Style(width=2)))
    thick = rendered(page(), Arrow(start=(20, 75), end=(180, 75), style=Style(width=10)))
    probe = (155, 83)
    assert thin.getpixel(probe) == WHITE and thick.getpixel(probe) != WHITE


def test_redaction_is_pure_opaque_black_over_a_bright_picture_and_painted_last():
    redaction = Redaction(rect=Rect(30.4, 20.6, 50.2, 40.1))
    on_top = Line(start=(0, 40), end=(200, 40), style=Style(colour="#FFFF00", width=9))
    out = rendered(page(colour=(250, 250, 250)), redaction, on_top)
    left, top, right, bottom = redaction.rect.pixel_box()
    pixels = out.crop((left, top, right, bottom)).get_flattened_data()
    assert set(pixels) == {BLACK}
    assert out.getpixel((left - 1, top + 5)) == (250, 250, 250)
    assert out.getpixel((right, top + 5)) == (250, 250, 250)
    assert close(out.getpixel((100, 40)), (255, 255, 0))  # the line outside the box


def test_redaction_is_opaque_on_transparent_pictures_too():
    out = rendered(page(colour=(10, 200, 30, 0), mode="RGBA"),
                   Redaction(rect=Rect(10, 10, 20, 20)))
    assert out.mode == "RGBA"
    assert out.getpixel((15, 15)) == (0, 0, 0, 255)
    assert out.getpixel((5, 5)) == (10, 200, 30, 0)


def test_redaction_brush_blackens_its_path():
    brush = RedactionBrush(points=((20, 20), (100, 100)), width=10)
    out = rendered(page(colour=(240, 240, 240)), brush)
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = y = round(20 + 80 * t)
        assert out.getpixel((x, y)) == BLACK
    assert out.getpixel((100, 20)) == (240, 240, 240)


def test_highlighter_keeps_dark_text_visible_and_tints_paper():
    image = Image.new("RGB", (200, 100), WHITE)
    ImageDraw.Draw(image).rectangle((40, 45, 160, 55), fill=(20, 20, 20))  # "text"
    out = rendered(picture(image), Highlighter(points=((10, 50), (190, 50)),
                                               style=Style(colour="#FFEB3B", width=30)))
    assert max(out.getpixel((100, 50))) < 40           # the text is still dark
    paper = out.getpixel((20, 50))
    assert paper[2] < 120 and paper[0] > 200            # the paper is yellow now
    assert out.getpixel((20, 10)) == WHITE              # outside the stroke untouched


def test_crop_gives_the_right_size_and_offset():
    image = Image.new("RGB", (300, 200), WHITE)
    image.putpixel((110, 70), (1, 2, 3))
    out = rendered(picture(image), crop=Rect(100, 50, 80, 60))
    assert out.size == (80, 60)
    assert out.getpixel((10, 20)) == (1, 2, 3)


def test_annotations_follow_the_crop_offset():
    marker = Marker(number=7, centre=(150, 100), style=Style(colour="#00AA00", font_size=20))
    out = rendered(page((300, 200)), marker, crop=Rect(100, 50, 100, 100))
    # left edge of the disc, inside it: marker colour; the digit sits in the middle
    assert close(out.getpixel((50 - 14, 50)), (0, 0xAA, 0), tolerance=20)
    assert out.getpixel((50 - 25, 50)) == WHITE


def test_text_callout_has_a_readable_box_and_text():
    callout = Text(text="Fracture", position=(10, 10),
                   style=Style(colour="#C00000", font_size=24, width=2))
    out = rendered(page(colour=(0, 0, 60)), callout)
    box = render.text_rect(callout)
    assert box.width() > 60 and box.height() > 24
    inside = out.crop((int(box.left()) + 3, int(box.top()) + 3, int(box.right()) - 3,
                       int(box.bottom()) - 3))
    colours = set(inside.get_flattened_data())
    assert any(min(c) > 200 for c in colours)                  # the light background
    assert any(close(c, (0xC0, 0, 0), 30) for c in colours)     # the red letters


def test_freehand_pen_passes_through_its_points():
    pen = Pen(points=((20, 20), (60, 20), (60, 80)), style=Style(colour="#00FF00", width=5))
    out = rendered(page(), pen)
    assert close(out.getpixel((22, 20)), (0, 255, 0), 30)
    assert close(out.getpixel((60, 78)), (0, 255, 0), 30)


def test_render_leaves_the_picture_untouched_and_returns_a_qimage():
    pic = page()
    before = pic.image.tobytes()
    image = render.render(Document(pic, crop=Rect(0, 0, 50, 40),
                                   annotations=[Redaction(rect=Rect(0, 0, 50, 40))]))
    assert isinstance(image, QImage) and (image.width(), image.height()) == (50, 40)
    assert pic.image.tobytes() == before


def test_paint_annotation_restores_the_painter_state():
    image = QImage(50, 50, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        mode = painter.compositionMode()
        for annotation in (Highlighter(points=((0, 0), (5, 5))),
                           Redaction(rect=Rect(1, 1, 2, 2))):
            render.paint_annotation(painter, annotation)
            assert painter.compositionMode() == mode
            assert not painter.testRenderHint(QPainter.RenderHint.Antialiasing)
    finally:
        painter.end()


def test_include_redactions_false_leaves_them_out():
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    document = Document(size=(40, 40), annotations=[Redaction(rect=Rect(0, 0, 40, 40))])
    painter = QPainter(image)
    render.paint_document(painter, document, include_redactions=False)
    painter.end()
    assert image.pixel(20, 20) == 0xFFFFFFFF


def test_qt_calls_keep_their_references_to_none():
    # PySide6 6.12.0 dropped a reference to None on every void call; on Python 3.11 the
    # interpreter aborts ("deallocating None") once enough painting has happened.
    import sys

    image = QImage(20, 20, QImage.Format.Format_RGBX8888)
    before = sys.getrefcount(None)
    for _ in range(20):
        rendered(page((40, 30)), Highlighter(points=((1, 1), (9, 9))),
                 Marker(number=2, centre=(20, 15)))
        painter = QPainter(image)
        for _ in range(50):
            painter.save()
            painter.restore()
        painter.end()
    assert sys.getrefcount(None) - before > -500


def _busy_picture(size=(420, 360)) -> Picture:
    import random

    rng = random.Random(7)
    return picture(Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)))


def _awkward_annotations():
    """Every kind, plus the shapes whose paint reaches furthest beyond their geometry."""
    from medsnap.document import Rectangle
    from tests.document.document_samples import one_of_each

    return [*one_of_each(),
            Rectangle(rect=Rect(100, 100, 50, 40), style=Style(width=30)),
            Marker(number=9999, centre=(200, 60), style=Style(font_size=30)),
            Text(text="wide border", position=(150, 150), style=Style(width=20, font_size=20)),
            Arrow(start=(10, 200), end=(290, 150), style=Style(width=20)),
            Pen(points=((200, 200), (250, 120), (280, 210), (230, 215)),
                style=Style(width=15)),
            RedactionBrush(points=((20, 150), (60, 170)), width=13)]


@pytest.mark.parametrize("crop", [None, Rect(7, 9, 380, 300), Rect(100.5, 90, 150, 120)])
def test_painting_only_touched_boxes_gives_the_same_pixels_as_painting_everything(crop):
    pic = _busy_picture()
    for annotation in _awkward_annotations():
        for dx, dy in ((0, 0), (110.3, 130.7), (-5, -5)):
            document = Document(pic, crop=crop, annotations=[
                annotation.moved(dx, dy), Line(start=(400, 340), end=(410, 350))])
            whole = render.render_to_pil(document, tile_share=0.0)
            tiled = render.render_to_pil(document, tile_share=1.0)
            assert whole.tobytes() == tiled.tobytes(), (annotation.kind, dx, crop)


def test_sparse_annotations_are_painted_in_separate_small_boxes():
    document = Document(_busy_picture(), annotations=[
        Arrow(start=(10, 10), end=(60, 40)), Redaction(rect=Rect(300, 300, 20, 10))])
    boxes = render._dirty_boxes(document)
    assert len(boxes) == 2
    assert sum((b[2] - b[0]) * (b[3] - b[1]) for b in boxes) < 0.1 * 420 * 360


def test_grey_picture_is_painted_in_colour_and_stays_grey_where_untouched():
    """A radiograph arrives as one 8-bit plane; annotations on it keep their colour."""
    ramp = Image.linear_gradient("L").resize((300, 200))
    grey = picture(ramp)
    untouched = rendered(grey, crop=Rect(10, 20, 200, 100))
    assert untouched.mode == "L"
    assert untouched.tobytes() == ramp.crop((10, 20, 210, 120)).tobytes()
    line = Line(start=(20, 100), end=(280, 100), style=Style(colour="#FF0000", width=8))
    document = Document(grey, annotations=[line, Redaction(rect=Rect(0, 0, 40, 30))])
    for share in (0.0, 1.0):  # whole-image and per-box painting alike
        painted = render.render_to_pil(document, tile_share=share)
        assert painted.mode == "RGB"
        assert close(painted.getpixel((150, 100)), (255, 0, 0))
        assert painted.getpixel((20, 15)) == BLACK
        level = ramp.getpixel((150, 190))
        assert painted.getpixel((150, 190)) == (level, level, level)
    assert render.render(document).pixelColor(150, 100).red() > 240


CUT_PRONE = ["slough - debride?", "a - b", "x-y z", "K 6.1 - repeat U&E", "NN: slough - debride?"]


@pytest.mark.parametrize("text", CUT_PRONE)
def test_a_callout_sized_to_its_text_shows_all_of_it_at_every_size(text):
    """A new user's "slough - debride?" arrived as "slough -" at some sizes: the box was
    measured for one line, the painter wrapped the last word onto a second line and cut it.
    The ink must reach the box's right part and stay on one line, at every font size."""
    for size in range(12, 81, 2):
        callout = Text(text=text, position=(4, 4), style=Style(colour="#C00000", font_size=size))
        box = render.text_rect(callout)
        out = rendered(page((int(box.right()) + 8, int(box.bottom()) + 8)), callout)
        pad = callout.padding()
        inner = (int(box.left() + pad), int(box.top() + pad) + 1,
                 int(box.right() - pad), int(box.bottom() - pad) - 1)
        red = [x for x in range(inner[0], inner[2]) for y in range(inner[1], inner[3])
               if close(out.getpixel((x, y)), (0xC0, 0, 0), 60)]
        assert red and max(red) > inner[0] + 0.8 * (inner[2] - inner[0]), (text, size)

