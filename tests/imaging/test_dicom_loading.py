"""DICOM frames: window/level, rescale, MONOCHROME1, 16-bit, multi-frame, colour, codecs,
and the burned-in-text warning. Expected grey levels are computed from DICOM's formula."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.uid import JPEG2000Lossless, JPEGLSLossless, RLELossless

from medsnap.errors import ImageError
from medsnap.imaging import load_picture
from medsnap.imaging.dicom import DicomImage
from medsnap.imaging.source_info import WINDOW_PRESETS
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp


def grey(picture) -> np.ndarray:
    assert picture.image.mode == "L"  # one 8-bit plane: no RGB copies of a radiograph
    return np.asarray(picture.image).astype(int)


def linear(value: float, center: float, width: float) -> int:
    """PS3.3 C.11.2.1.2.1, written out for one value."""
    if value <= center - 0.5 - (width - 1) / 2:
        return 0
    if value > center - 0.5 + (width - 1) / 2:
        return 255
    return int(np.rint(((value - (center - 0.5)) / (width - 1) + 0.5) * 255))


@pytest.fixture(scope="module")
def ct_slice() -> bytes:
    # stored 0..4095 with intercept -1024: -1024 HU (air) to 3071 HU (dense bone)
    ds = dicom_dataset(ramp(8, 4096, 0, 4095), modality="CT", BitsStored=12,
                       RescaleSlope=1, RescaleIntercept=-1024,
                       WindowCenter=[50, 500], WindowWidth=[350, 2000])
    return dicom_bytes(ds)


def test_own_window_after_rescale(ct_slice, tmp_path):
    path = tmp_path / "IM000123"  # no extension
    path.write_bytes(ct_slice)
    picture = load_picture(path)
    assert picture.source_format == "DICOM"
    info = picture.dicom
    assert info.own_window == (50.0, 350.0) and info.window == (50.0, 350.0)
    assert info.bits_stored == 12
    assert info.value_range is None  # opened once through its own window: not measured
    kept = DicomImage(path).picture()  # kept for re-windowing: measured
    assert kept.dicom.value_range == (-1024.0, 3071.0)
    assert np.array_equal(np.asarray(kept.image), np.asarray(picture.image))
    row = grey(picture)[0]
    for stored in (0, 1000, 1024 + 50 - 175, 1074, 1074 + 100, 1500, 4095):
        assert row[stored] == linear(stored - 1024, 50, 350), stored


@pytest.mark.parametrize("preset", sorted(WINDOW_PRESETS))
def test_presets_are_applied_numerically(ct_slice, preset):
    center, width = WINDOW_PRESETS[preset]
    row = grey(load_picture(ct_slice, window=(center, width)))[0]
    expected = [linear(stored - 1024, center, width) for stored in range(4096)]
    assert row.tolist() == expected


def test_monochrome1_is_inverted(ct_slice):
    ds = dicom_dataset(ramp(4, 256, 0, 1000), PhotometricInterpretation="MONOCHROME1",
                       WindowCenter=500, WindowWidth=1001)
    row = grey(load_picture(dicom_bytes(ds)))[0]
    assert row[0] == 255 and row[-1] == 0  # stored 0 is white in MONOCHROME1
    assert (np.diff(row) <= 0).all()


def test_inverse_presentation_flips_monochrome2():
    ds = dicom_dataset(ramp(2, 256, 0, 255, np.uint8), PresentationLUTShape="INVERSE",
                       WindowCenter=127.5, WindowWidth=256)
    row = grey(load_picture(dicom_bytes(ds)))[0]
    assert row[0] == 255 and row[-1] == 0


def test_sixteen_bit_signed_full_range_without_window():
    values = ramp(4, 512, -30000, 30000, np.int16)
    row = grey(load_picture(dicom_bytes(dicom_dataset(values))))[0]
    assert row[0] == 0 and row[-1] == 255 and abs(row[256] - 128) <= 1
    assert (np.diff(row) >= 0).all()


def test_multiframe_picks_the_frame():
    frames = np.stack([np.full((16, 24), 40 * n, np.uint8) for n in range(5)])
    data = dicom_bytes(dicom_dataset(frames, frames=5, WindowCenter=127.5, WindowWidth=256))
    for frame in (0, 3, 4):
        picture = load_picture(data, frame=frame)
        assert picture.page == frame and picture.page_count == 5
        assert (grey(picture) == linear(40 * frame, 127.5, 256)).all()
    assert grey(load_picture(data, page=2))[0, 0] == linear(80, 127.5, 256)
    with pytest.raises(ImageError, match="has 5 frames; frame 6 does not exist"):
        load_picture(data, frame=5)


def test_rgb_and_ybr_colour():
    from pydicom.pixels import convert_color_space

    rgb = np.zeros((10, 12, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 120, 30
    picture = load_picture(dicom_bytes(dicom_dataset(rgb, photometric="RGB", modality="XC")))
    assert tuple(np.asarray(picture.image)[3, 3]) == (200, 120, 30)
    assert picture.dicom.window is None and picture.dicom.is_colour
    ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
    back = np.asarray(load_picture(dicom_bytes(dicom_dataset(ybr, photometric="YBR_FULL")))
                      .image).astype(int)
    assert np.abs(back[3, 3] - (200, 120, 30)).max() <= 2


@pytest.mark.parametrize("syntax", [RLELossless, JPEGLSLossless, JPEG2000Lossless],
                         ids=lambda uid: uid.name)
def test_compressed_transfer_syntaxes(syntax):
    values = ramp(32, 300, 0, 4095)
    ds = dicom_dataset(values, BitsStored=12, WindowCenter=2048, WindowWidth=4096)
    ds.compress(syntax)
    row = grey(load_picture(dicom_bytes(ds)))[0]
    assert row.tolist() == [linear(v, 2048, 4096) for v in values[0].tolist()]


def test_bare_dataset_without_preamble_is_accepted_only_with_pixels():
    ds = dicom_dataset(ramp(4, 64, 0, 63, np.uint8), WindowCenter=32, WindowWidth=64)
    picture = load_picture(dicom_bytes(ds, preamble=False))
    assert picture.source_format == "DICOM" and picture.width == 64
    no_pixels = ds.copy()
    del no_pixels.PixelData
    with pytest.raises(ImageError, match="is not a picture MedSnap can read"):
        load_picture(dicom_bytes(no_pixels, preamble=False))


def test_part10_without_pixels_and_damaged_pixels():
    ds = dicom_dataset(ramp(4, 64, 0, 63, np.uint8))
    damaged = dicom_bytes(ds)[:-100]
    with pytest.raises(ImageError, match="nothing was sent or saved"):
        load_picture(damaged)
    del ds.PixelData
    with pytest.raises(ImageError, match="holds no image"):
        load_picture(dicom_bytes(ds))


def test_pixel_ceiling_is_checked_before_decoding():
    data = dicom_bytes(dicom_dataset(ramp(100, 100, 0, 9)))
    with pytest.raises(ImageError, match="more than the limit"):
        load_picture(data, max_pixels=9_999)


@pytest.mark.parametrize("modality, declared, warned", [
    ("CR", "YES", True), ("CR", None, False), ("DX", "NO", False),
    ("US", None, True), ("SC", None, True), ("US", "NO", True), ("XC", "NO", True)])
def test_burned_in_warning(modality, declared, warned):
    # XC (external camera) also warns through its modality
    extra = {"BurnedInAnnotation": declared} if declared else {}
    picture = load_picture(dicom_bytes(dicom_dataset(ramp(4, 8, 0, 7), modality=modality,
                                                     **extra)))
    assert picture.dicom.burned_in is warned and bool(picture.warnings) is warned
    if warned:
        assert "redaction tool" in picture.warnings[0]
        assert "Burned In Annotation" in picture.warnings[0] or modality in picture.warnings[0]


def test_jpeg_baseline_colour_ultrasound():
    """A colour ultrasound frame as PACS stores it: JPEG baseline, YBR_FULL_422."""
    import io as _io

    from PIL import Image
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGBaseline8Bit

    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :32] = (200, 40, 40)
    frame[:, 32:] = (30, 30, 180)
    out = _io.BytesIO()
    Image.fromarray(frame, "RGB").save(out, "JPEG", quality=95)
    ds = dicom_dataset(frame, photometric="YBR_FULL_422", modality="US")
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.PixelData = encapsulate([out.getvalue()])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    picture = load_picture(dicom_bytes(ds))
    pixels = np.asarray(picture.image).astype(int)
    assert np.abs(pixels[10, 5] - (200, 40, 40)).max() <= 8
    assert np.abs(pixels[10, 60] - (30, 30, 180)).max() <= 8
    assert picture.dicom.burned_in and picture.warnings


def test_voi_lut_table_is_the_files_own_window():
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    lut = Dataset()
    lut.LUTDescriptor = [4096, 0, 16]
    table = 65535 - np.arange(4096) * 16  # an inverting 16-bit table
    lut.add_new(0x00283006, "US", table.tolist())  # LUT Data
    ds = dicom_dataset(ramp(2, 4096, 0, 4095), BitsStored=12, VOILUTSequence=Sequence([lut]))
    picture = load_picture(dicom_bytes(ds))
    assert grey(picture)[0].tolist() == np.rint(table * 255 / 65535).astype(int).tolist()
    assert picture.dicom.own_window is None and picture.dicom.window is None
    # an explicit window still overrides the table
    assert grey(load_picture(dicom_bytes(ds), window=(2048, 4096)))[0, 0] == 0


def test_recognisable_face_warns():
    picture = load_picture(dicom_bytes(dicom_dataset(ramp(4, 8, 0, 7), modality="CR",
                                                     RecognizableVisualFeatures="YES")))
    assert picture.dicom.burned_in and "recognised" in picture.warnings[0]


def test_bits_above_high_bit_are_not_part_of_the_value():
    # old files kept overlay bits above High Bit: the window must ignore them
    values = ramp(2, 256, 0, 4095)
    noisy = values | np.uint16(0xF000) * (np.arange(256, dtype=np.uint16) % 2)
    clean = load_picture(dicom_bytes(dicom_dataset(values, BitsStored=12)))
    marked = load_picture(dicom_bytes(dicom_dataset(noisy, BitsStored=12)))
    assert grey(marked).tolist() == grey(clean).tolist()
    assert marked.dicom.value_range == clean.dicom.value_range == (0.0, 4095.0)
