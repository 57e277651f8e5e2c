"""Uncompressed grey DICOM frames read straight from the file (dicom_native) must give exactly
what pydicom's own decode gives: the same stored samples as ``pixel_array`` (bits above High
Bit cleared, signs extended, byte order, frame offsets), the same value range, and the grey
that DICOM's window formula gives on pydicom's samples. Each case first asserts the direct
reader is the one in use, so a case that silently fell back to pydicom would fail."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from pydicom.uid import ExplicitVRBigEndian, ImplicitVRLittleEndian, RLELossless

from medsnap.errors import ImageError
from medsnap.imaging import load_picture
from medsnap.imaging.dicom import DicomImage
from medsnap.imaging.dicom_native import DEFER_BYTES, NativeFrames
from medsnap.imaging.dicom_window import strip_rows
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset

# large enough that Pixel Data stays in the file at open, and many strips
ROWS, COLUMNS = 600, 900
assert ROWS * COLUMNS * 2 > DEFER_BYTES and ROWS > 2 * strip_rows(COLUMNS)


def noise(shape, low: int, high: int, dtype, seed: int = 9) -> np.ndarray:
    return np.random.default_rng(seed).integers(low, high, shape, endpoint=True).astype(dtype)


def with_high_bits(values: np.ndarray, bits_stored: int) -> np.ndarray:
    """Random junk above High Bit, as old files kept overlays there."""
    junk = noise(values.shape, 0, (1 << (16 - bits_stored)) - 1, np.uint16, seed=4)
    return (values.view(np.uint16) | (junk << bits_stored)).view(values.dtype)


def twelve_bit_signed(values: np.ndarray) -> np.ndarray:
    """Signed 12-bit values stored without their sign extended (top four bits junk)."""
    return with_high_bits((values.astype(np.int16).view(np.uint16) & 0x0FFF), 12).view(np.int16)


def case(name: str, shape=(ROWS, COLUMNS)) -> bytes:
    signed12 = noise(shape, -2048, 2047, np.int16)
    cases = {
        "12-bit in 16, overlay bits above High Bit, rescaled": lambda: dicom_dataset(
            with_high_bits(noise(shape, 0, 4095, np.uint16), 12), BitsStored=12,
            RescaleSlope=1, RescaleIntercept=-1024, WindowCenter=40, WindowWidth=400),
        "MONOCHROME1, 12-bit, overlay bits": lambda: dicom_dataset(
            with_high_bits(noise(shape, 0, 4095, np.uint16), 12), BitsStored=12,
            PhotometricInterpretation="MONOCHROME1", WindowCenter=2000, WindowWidth=3000),
        "signed 16-bit, slope 2, no window": lambda: dicom_dataset(
            noise(shape, -32768, 32767, np.int16), RescaleSlope=2, RescaleIntercept=-100),
        "signed 12-bit, sign not extended": lambda: dicom_dataset(
            twelve_bit_signed(signed12), BitsStored=12, WindowCenter=0, WindowWidth=2000),
        "12-bit in 16, clean high bits": lambda: dicom_dataset(
            noise(shape, 0, 4095, np.uint16), BitsStored=12, WindowCenter=900, WindowWidth=80),
        "signed 12-bit, sign extended": lambda: dicom_dataset(
            signed12, BitsStored=12, RescaleSlope=0.5, RescaleIntercept=3),
        "8-bit, odd number of samples": lambda: dicom_dataset(
            noise((shape[0] * 2 + 1, shape[1] + 1), 0, 255, np.uint8)),
        "signed 8-bit, sigmoid": lambda: dicom_dataset(
            noise(shape, -128, 127, np.int8), WindowCenter=10, WindowWidth=100,
            VOILUTFunction="SIGMOID"),
        "INVERSE presentation, 16 bits stored": lambda: dicom_dataset(
            noise(shape, 0, 65535, np.uint16), PresentationLUTShape="INVERSE"),
    }
    return dicom_bytes(cases[name]())


CASES = ["12-bit in 16, overlay bits above High Bit, rescaled", "MONOCHROME1, 12-bit, overlay bits",
         "signed 16-bit, slope 2, no window", "signed 12-bit, sign not extended",
         "12-bit in 16, clean high bits", "signed 12-bit, sign extended",
         "8-bit, odd number of samples", "signed 8-bit, sigmoid",
         "INVERSE presentation, 16 bits stored"]


def expected(data: bytes, frame: int = 0, window=None):
    """pydicom's samples, the value range after rescale and the grey DICOM's formula gives."""
    ds = pydicom.dcmread(io.BytesIO(data))
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    stored = ds.pixel_array if frames == 1 else ds.pixel_array[frame]
    values = stored * float(getattr(ds, "RescaleSlope", 1)) + float(
        getattr(ds, "RescaleIntercept", 0))
    low, high = float(values.min()), float(values.max())
    own = (float(ds.WindowCenter), float(ds.WindowWidth)) if "WindowCenter" in ds else None
    center, width = window or own or ((low + high + 1) / 2, max(high - low + 1, 2.0))
    if window is None and getattr(ds, "VOILUTFunction", "") == "SIGMOID":
        grey = np.rint(255 / (1 + np.exp(-4 * (values - center) / width)))
    else:  # PS3.3 C.11.2.1.2.1, LINEAR
        lower, upper = center - 0.5 - (width - 1) / 2, center - 0.5 + (width - 1) / 2
        grey = np.where(values <= lower, 0, np.where(
            values > upper, 255, np.rint(((values - (center - 0.5)) / (width - 1) + 0.5) * 255)))
    inverse = ds.PhotometricInterpretation == "MONOCHROME1" or getattr(
        ds, "PresentationLUTShape", "") == "INVERSE"
    grey = 255 - grey if inverse else grey
    return stored, np.clip(grey, 0, 255).astype(np.uint8), (low, high)


def assert_same(image: DicomImage, data: bytes, frame: int = 0, window=None) -> None:
    stored, grey, value_range = expected(data, frame, window)
    picture = image.picture(frame, window)
    assert image.stored(frame).dtype == stored.dtype.newbyteorder("=")  # native order
    assert np.array_equal(image.stored(frame), stored)
    assert np.array_equal(np.asarray(picture.image), grey)
    assert picture.dicom.value_range == value_range


@pytest.fixture(params=["path", "bytes", "small"])
def source(request, tmp_path):
    """The file from disk (Pixel Data read at its offset), from bytes in memory, or small
    enough that pydicom reads the Pixel Data with the header."""
    def make(name: str):
        if request.param == "small":
            return case(name, shape=(37, 41))
        data = case(name)
        if request.param == "bytes":
            return data
        path = tmp_path / "IM0001"
        path.write_bytes(data)
        return path
    return make


def content(source) -> bytes:
    return source if isinstance(source, bytes) else source.read_bytes()


@pytest.mark.parametrize("name", CASES)
def test_direct_read_equals_pydicom(source, name):
    given = source(name)
    data = content(given)
    # the file's own window (or the full range), then a new window on the kept samples
    image = DicomImage(given)
    assert image.reads_directly
    assert_same(image, data)
    assert_same(image, data, window=(100.0, 700.0))
    # an explicit window on a fresh read, and the samples asked for before any window
    assert_same(DicomImage(given), data, window=(-20.0, 3000.0))
    first_samples = DicomImage(given)
    first_samples.stored(0)
    assert_same(first_samples, data)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("window", [None, (100.0, 700.0)])
def test_one_look_windows_strips_as_read_and_equals_pydicom(source, name, window, monkeypatch):
    """load_picture looks once: with a window known beforehand (given, or the file's own) each
    strip is windowed as it is read, by a table that ignores foreign bits above High Bit
    (cleared, or the sign extended from the top stored bit), and no frame of samples is
    kept, corrected or measured; the grey is still pydicom's. Without a window the full
    range is measured first."""
    given = source(name)
    data = content(given)
    stored, grey, value_range = expected(data, window=window)
    own_window = "WindowCenter" in pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    one_pass = window is not None or own_window
    if one_pass:  # the whole-frame read is not used at all
        monkeypatch.setattr(NativeFrames, "read", lambda *a: pytest.fail("frame kept"))
    picture = load_picture(given, window=window)
    assert np.array_equal(np.asarray(picture.image), grey)
    assert picture.dicom.value_range == (None if one_pass else value_range)
    image = DicomImage(given, keep_samples=False)
    image.picture(0, window)
    monkeypatch.undo()
    assert np.array_equal(image.stored(0), stored)  # asked for afterwards: read then


def multi_frame(syntax=None) -> bytes:
    frames = np.stack([with_high_bits(noise((ROWS, COLUMNS), 0, 4095, np.uint16, seed=n), 12)
                       for n in range(3)])
    ds = dicom_dataset(frames, frames=3, BitsStored=12, WindowCenter=2048, WindowWidth=4096)
    if syntax is not None:
        ds.file_meta.TransferSyntaxUID = syntax
    return dicom_bytes(ds)


def test_multiframe_picks_each_frame_at_its_offset():
    data = multi_frame()
    image = DicomImage(data)
    assert image.reads_directly
    for frame in (2, 0, 1):
        assert_same(image, data, frame)


def test_big_endian_samples_are_swapped():
    values = with_high_bits(noise((ROWS, COLUMNS), 0, 4095, np.uint16), 12)
    ds = dicom_dataset(values, BitsStored=12, WindowCenter=2048, WindowWidth=4096)
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
    ds.PixelData = values.astype(">u2").tobytes()  # the file holds big-endian words
    data = dicom_bytes(ds)
    image = DicomImage(data)
    assert image.reads_directly
    assert_same(image, data)
    assert np.array_equal(image.stored(0), values & 0x0FFF)  # not only equal to pydicom
    _, grey, _ = expected(data)
    assert np.array_equal(np.asarray(load_picture(data).image), grey)  # swapped strip by strip


def test_implicit_vr_and_bare_dataset():
    data = multi_frame(ImplicitVRLittleEndian)
    assert DicomImage(data).reads_directly
    assert_same(DicomImage(data), data, 1)
    bare = dicom_bytes(pydicom.dcmread(io.BytesIO(data)), preamble=False)
    image = DicomImage(bare, bare=True)
    assert image.reads_directly
    assert_same(image, data, 2)


def test_compressed_frames_still_go_through_pydicom():
    ds = dicom_dataset(noise((64, 80), 0, 4095, np.uint16), BitsStored=12)
    ds.compress(RLELossless)
    data = dicom_bytes(ds)
    image = DicomImage(data)
    assert not image.reads_directly
    assert_same(image, data)


def test_file_cut_short_is_damaged(tmp_path):
    path = tmp_path / "cut.dcm"
    path.write_bytes(case(CASES[0])[:-5000])
    with pytest.raises(ImageError, match="damaged or incomplete pixel data"):
        load_picture(path)


def test_file_changed_or_gone_after_opening(tmp_path):
    path = tmp_path / "series.dcm"
    path.write_bytes(multi_frame())
    image = DicomImage(path)
    image.picture(0)
    path.write_bytes(multi_frame()[:-10])  # replaced by a shorter file
    with pytest.raises(ImageError, match="changed on disk after it was opened"):
        image.picture(1)
    assert image.picture(0).image.size == (COLUMNS, ROWS)  # the kept frame still shows
    path.unlink()
    with pytest.raises(ImageError, match="does not exist"):
        image.picture(2)


def test_one_look_at_a_file_changed_or_gone(tmp_path):
    path = tmp_path / "series.dcm"
    path.write_bytes(multi_frame())
    image = DicomImage(path, keep_samples=False)
    path.write_bytes(multi_frame()[:-10])
    with pytest.raises(ImageError, match="changed on disk after it was opened"):
        image.picture(1)
    path.unlink()
    with pytest.raises(ImageError, match="does not exist"):
        image.picture(0)


def test_read_without_positioned_reads(tmp_path, monkeypatch):
    """Windows has no os.preadv: the reader seeks and reads instead (whole frames, and
    strip by strip for one look)."""
    monkeypatch.delattr("os.preadv", raising=False)
    path = tmp_path / "IM0002"
    path.write_bytes(multi_frame())
    image = DicomImage(path)
    assert image.reads_directly
    assert_same(image, path.read_bytes(), 1)
    _, grey, _ = expected(path.read_bytes(), 2)
    assert np.array_equal(np.asarray(load_picture(path, frame=2).image), grey)
