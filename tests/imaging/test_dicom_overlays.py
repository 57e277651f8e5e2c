"""DICOM overlay planes (60xx,3000): drawn in white where their bits are set, at their origin
and on their frames, as a PACS viewer shows them; left out on request; a damaged plane is
skipped and said; the caution names them. Their label and description never leave."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from medsnap.imaging import load_picture
from medsnap.imaging.dicom import DicomImage
from tests.imaging.record_fixtures import add_overlay, dicom_bytes, dicom_dataset, ramp

ROWS, COLUMNS = 40, 60


def marks(rows: int = 12, columns: int = 20) -> np.ndarray:
    """A radiologist's overlay: a box outline and a letter, as 0/1 bits."""
    plane = Image.new("1", (columns, rows), 0)
    draw = ImageDraw.Draw(plane)
    draw.rectangle((0, 0, columns - 1, rows - 1), outline=1)
    draw.text((3, 0), "L", fill=1)
    return np.asarray(plane, np.uint8)


def radiograph(**attributes):
    return dicom_dataset(ramp(ROWS, COLUMNS, 0, 1000), WindowCenter=500, WindowWidth=1001,
                         **attributes)


def grey(picture) -> np.ndarray:
    assert picture.image.mode == "L"
    return np.asarray(picture.image).astype(int)


def test_overlay_is_drawn_white_at_its_origin_and_only_there():
    bits = marks()
    plain = grey(load_picture(dicom_bytes(radiograph())))
    picture = load_picture(dicom_bytes(add_overlay(radiograph(), bits, origin=(5, 11))))
    shown = grey(picture)
    expected = plain.copy()
    expected[4:16, 10:30][bits == 1] = 255
    assert (shown == expected).all()
    assert bits.sum() > 20 and (plain[4:16, 10:30][bits == 1] < 255).all()  # it shows
    info = picture.dicom
    assert info.overlay_count == 1 and info.overlays_shown and info.burned_in
    assert "overlay" in info.burned_in_reason
    assert len(picture.warnings) == 1
    assert "overlay" in picture.warnings[0] and "redaction tool" in picture.warnings[0]
    assert "--no-overlays" in picture.warnings[0]


def test_overlays_can_be_left_out():
    data = dicom_bytes(add_overlay(radiograph(), marks(), origin=(5, 11)))
    hidden = load_picture(data, overlays=False)
    assert (grey(hidden) == grey(load_picture(dicom_bytes(radiograph())))).all()
    assert hidden.dicom.overlay_count == 1 and not hidden.dicom.overlays_shown
    assert not hidden.dicom.burned_in and hidden.warnings == ()


def with_marks(plain: np.ndarray, top: int, left: int, bits: np.ndarray) -> np.ndarray:
    """``plain`` with ``bits`` set white from (top, left) (0-based, may lie outside)."""
    out = plain.copy()
    for (row, column), bit in np.ndenumerate(bits):
        y, x = top + row, left + column
        if bit and 0 <= y < out.shape[0] and 0 <= x < out.shape[1]:
            out[y, x] = 255
    return out


@pytest.mark.parametrize("origin", [(-4, -6), (ROWS - 2, COLUMNS - 3), (ROWS - 2, -9)])
def test_overlay_reaching_past_the_edges_is_clipped(origin):
    bits = marks()
    plain = grey(load_picture(dicom_bytes(radiograph())))
    shown = grey(load_picture(dicom_bytes(add_overlay(radiograph(), bits, origin=origin))))
    assert (shown == with_marks(plain, origin[0] - 1, origin[1] - 1, bits)).all()
    assert (shown != plain).any()


def test_overlay_wholly_outside_the_image_draws_nothing():
    outside = load_picture(dicom_bytes(add_overlay(radiograph(), marks(), origin=(ROWS + 5, 1))))
    assert not outside.dicom.overlays_shown and outside.warnings == ()


def test_overlay_stays_white_on_monochrome1_and_through_new_windows():
    bits = np.ones((2, 2), np.uint8)
    top, left = 10, COLUMNS - 4  # high stored values: dark in MONOCHROME1
    ds = add_overlay(radiograph(PhotometricInterpretation="MONOCHROME1"), bits,
                     origin=(top + 1, left + 1))
    marked, plain = DicomImage(dicom_bytes(ds)), DicomImage(dicom_bytes(radiograph(
        PhotometricInterpretation="MONOCHROME1")))
    for window in (None, (100.0, 50.0), (900.0, 3000.0)):
        before = grey(plain.picture(0, window))
        assert before[top, left] < 200
        assert (grey(marked.picture(0, window)) == with_marks(before, top, left, bits)).all()


def test_multiframe_overlay_marks_its_frames_only():
    frames = np.stack([ramp(ROWS, COLUMNS, 0, 100) for _ in range(4)])
    per_frame = np.zeros((2, ROWS, COLUMNS), np.uint8)
    per_frame[0, 0, 0] = per_frame[1, 1, 1] = 1
    ds = add_overlay(dicom_dataset(frames, frames=4, WindowCenter=500, WindowWidth=1001),
                     per_frame, first_frame=2)  # overlay frames go on image frames 2 and 3
    data = dicom_bytes(ds)
    corners = [grey(load_picture(data, frame=n))[:2, :2] for n in range(4)]
    assert [int((corner == 255).sum()) for corner in corners] == [0, 1, 1, 0]
    assert corners[1][0, 0] == 255 and corners[2][1, 1] == 255
    assert not load_picture(data, frame=0).dicom.overlays_shown


def test_single_overlay_without_frames_applies_to_every_frame():
    frames = np.stack([ramp(ROWS, COLUMNS, 0, 100) for _ in range(3)])
    ds = add_overlay(dicom_dataset(frames, frames=3, WindowCenter=500, WindowWidth=1001),
                     np.ones((1, 1), np.uint8), origin=(3, 3))
    data = dicom_bytes(ds)
    assert all(grey(load_picture(data, frame=n))[2, 2] == 255 for n in range(3))


def test_two_planes_are_both_drawn_and_counted():
    ds = add_overlay(radiograph(), np.ones((1, 1), np.uint8), origin=(1, 1))
    add_overlay(ds, np.ones((1, 1), np.uint8), origin=(20, 30), group=0x6002)
    picture = load_picture(dicom_bytes(ds))
    shown = grey(picture)
    assert shown[0, 0] == 255 and shown[19, 29] == 255
    assert picture.dicom.overlay_count == 2 and "2 overlays" in picture.warnings[0]


def test_colour_image_gets_a_white_overlay():
    rgb = np.zeros((ROWS, COLUMNS, 3), np.uint8)
    rgb[...] = (10, 80, 200)
    ds = add_overlay(dicom_dataset(rgb, photometric="RGB", modality="XC"),
                     np.ones((2, 3), np.uint8))
    pixels = np.asarray(load_picture(dicom_bytes(ds)).image)
    assert tuple(pixels[1, 2]) == (255, 255, 255) and tuple(pixels[2, 2]) == (10, 80, 200)


@pytest.mark.parametrize("damage", ["short data", "wrong bit depth"])
def test_damaged_overlay_is_skipped_and_said(damage):
    ds = radiograph()
    if damage == "short data":
        add_overlay(ds, marks(), data=b"\xff" * 4)
    else:
        add_overlay(ds, marks())
        ds[0x6000, 0x0100].value = 8
    picture = load_picture(dicom_bytes(ds))
    assert (grey(picture) == grey(load_picture(dicom_bytes(radiograph())))).all()
    assert picture.dicom.overlay_count == 0 and not picture.dicom.overlays_shown
    assert len(picture.warnings) == 1 and "could not be read" in picture.warnings[0]


def test_overlay_claiming_too_many_pixels_is_not_unpacked():
    ds = add_overlay(radiograph(), np.ones((2, 2), np.uint8))
    ds[0x6000, 0x0010].value = ds[0x6000, 0x0011].value = 60000
    picture = load_picture(dicom_bytes(ds), max_pixels=10_000)
    assert picture.dicom.overlay_count == 0 and "could not be read" in picture.warnings[0]
