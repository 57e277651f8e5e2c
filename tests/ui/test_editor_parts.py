"""The window's parts on their own: zoom arithmetic, the picture pyramid, the draft decode,
the background job runner and the declared settings."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import QRectF, QSettings
from PySide6.QtGui import QColor, QImage, QPainter

from medsnap.errors import ImageError
from medsnap.ui import settings as prefs
from medsnap.ui.jobs import Jobs
from medsnap.ui.loader import decode_draft, load_full
from medsnap.ui.pyramid import Pyramid
from medsnap.ui.status_bar import parse_zoom
from medsnap.ui.viewport import Viewport


def viewport(image=(4000, 3000), view=(1000, 800)) -> Viewport:
    v = Viewport()
    v.resize_view(*view)
    v.set_bounds(0, 0, *image)
    return v


def test_fit_shows_the_whole_image_centred_and_never_enlarges():
    v = viewport()
    assert v.scale == pytest.approx(0.25)
    assert v.to_view(0, 0) == pytest.approx((0, 25))  # letterboxed vertically
    small = viewport(image=(200, 100))
    assert small.scale == 1.0 and small.to_view(0, 0) == (400, 350)


@pytest.mark.parametrize("anchor", [(0, 0), (333, 217), (999, 799)])
@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0, 17.0])
def test_zoom_keeps_the_anchor_fixed(anchor, scale):
    v = viewport()
    v.zoom_to(1.0)
    v.pan_by(300, 200)  # away from the edges, where panning limits would interfere
    before = v.to_image(*anchor)
    v.zoom_to(scale, anchor)
    assert v.to_image(*anchor) == pytest.approx(before)


def test_panning_stops_at_the_edges():
    v = viewport()
    v.zoom_to(1.0)
    v.pan_by(10_000, 10_000)
    assert v.to_image(0, 0) == pytest.approx((0, 0))
    v.pan_by(-10_000, -10_000)
    assert v.to_image(1000, 800) == pytest.approx((4000, 3000))


def test_steps_walk_the_standard_levels():
    v = viewport()
    v.zoom_to(1.0)
    v.step(+1)
    assert v.scale == 1.5
    v.step(-1)
    v.step(-1)
    assert v.scale == 0.75


def test_bounds_follow_a_crop():
    v = viewport()
    v.set_bounds(1000, 500, 400, 300)
    assert v.scale == 1.0
    assert v.to_image(500, 400) == pytest.approx((1200, 650))  # the crop's centre


def test_zoom_text_is_parsed_forgivingly():
    assert parse_zoom("150%") == 1.5 and parse_zoom(" 12,5 % ") == 0.125
    assert parse_zoom("abc") is None and parse_zoom("0") is None


def test_pyramid_picks_the_level_just_sharper_than_the_screen():
    pyramid = Pyramid.build(Image.new("RGB", (4096, 2048), (10, 20, 30)))
    scales = [level.scale for level in pyramid.levels]
    assert scales == [1.0, 0.5, 0.25]
    assert pyramid.level_for(1.0).scale == 1.0
    assert pyramid.level_for(0.3).scale == 0.5
    assert pyramid.level_for(0.25).scale == 0.25
    assert pyramid.level_for(0.01).scale == 0.25
    assert pyramid.level_for(4.0).scale == 1.0


def test_pyramid_draws_the_right_region():
    image = Image.new("RGB", (2048, 2048), (255, 0, 0))
    image.paste((0, 0, 255), (1024, 0, 2048, 2048))
    pyramid = Pyramid.build(image)
    target = QImage(100, 100, QImage.Format.Format_RGB32)
    target.fill(QColor("white"))
    painter = QPainter(target)
    painter.scale(0.1, 0.1)  # 100 screen px show 1000 image px: a coarse level is used
    painter.translate(-500, 0)
    pyramid.draw(painter, QRectF(500, 0, 1000, 1000), 0.1)
    painter.end()
    assert target.pixelColor(20, 50) == QColor(255, 0, 0)
    assert target.pixelColor(80, 50) == QColor(0, 0, 255)


def jpeg(size, orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((40, 40, 200), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def test_draft_is_a_reduced_upright_decode_of_a_big_jpeg():
    data = jpeg((3200, 1600), orientation=6)  # stored landscape, shown portrait
    draft = decode_draft(data, "x.jpg")
    assert draft is not None and draft.pyramid.is_draft
    assert (draft.pyramid.full_width, draft.pyramid.full_height) == (1600, 3200)
    top = draft.pyramid.levels[0]
    assert top.scale == pytest.approx(1 / 8)
    # orientation 6 turns the blue top-left corner to the top-right
    assert top.image.pixelColor(top.image.width() - 5, 5).blue() > 150
    full = load_full(data, "x.jpg")
    assert full.picture.image.size == (1600, 3200)


def test_no_draft_for_small_or_non_jpeg_sources(tmp_path):
    assert decode_draft(jpeg((400, 300)), "small.jpg") is None
    png = tmp_path / "a.png"
    Image.new("RGB", (3000, 2000)).save(png)
    assert decode_draft(str(png), "a.png") is None
    assert decode_draft(b"not an image at all", "junk") is None


def test_load_errors_are_typed():
    with pytest.raises(ImageError):
        load_full(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png")


def test_jobs_report_success_and_plain_errors(qtbot):
    jobs = Jobs()
    results, errors = [], []
    jobs.run(lambda: 6 * 7, results.append, errors.append)
    jobs.run(lambda: load_full(b"junk", "junk"), results.append, errors.append)
    jobs.run(lambda: 1 / 0, results.append, errors.append, what="dividing")
    qtbot.waitUntil(lambda: len(results) + len(errors) == 3, timeout=5000)
    assert results == [42]
    assert any("Something went wrong while dividing" in e for e in errors)
    assert not any("Traceback" in e or "ZeroDivision" in e for e in errors)
    assert not jobs.busy


def test_settings_fall_back_to_defaults_on_bad_values(tmp_path):
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    store.setValue("tools/arrow/colour", "red")
    store.setValue("tools/arrow/width", "-3")
    assert prefs.tool_colour("arrow").read(store) == "#E53935"
    assert prefs.tool_width("arrow").read(store) == 4.0
    recent: list[str] = []
    for index in [*range(12), 5]:
        recent = prefs.newest_first(recent, f"/tmp/{index}.png")
    assert len(recent) == prefs.MAX_RECENT and recent[:2] == ["/tmp/5.png", "/tmp/11.png"]
    assert recent.count("/tmp/5.png") == 1


def test_a_fitted_view_stays_fitted_when_resized_until_zoomed():
    v = viewport()
    v.resize_view(500, 400)
    assert v.scale == pytest.approx(0.125)
    v.zoom_to(0.5)
    v.resize_view(1000, 800)
    assert v.scale == 0.5
