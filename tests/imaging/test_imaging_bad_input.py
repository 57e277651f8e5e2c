"""Bad input never crashes load_picture: it raises ImageError with an actionable message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging import load_picture
from tests.imaging import fixtures
from tests.imaging.fixture_parts import encode
from tests.imaging.fixtures import sample_picture


def load_error(source, **options) -> str:
    with pytest.raises(ImageError) as caught:
        load_picture(source, **options)
    message = caught.value.message
    assert "Traceback" not in message and len(message) > 40
    assert caught.value.exit_code == 3
    return message


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    message = load_error(path)
    assert "empty.png" in message and "empty" in message and "again" in message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP", "GIF", "BMP"])
def test_truncated_files(fmt):
    data = encode(sample_picture(), fmt)
    message = load_error(data[: len(data) * 2 // 3])
    assert "incomplete" in message or "damaged" in message
    assert "fresh copy" in message


def test_corrupt_png_crc_and_jpeg_garbage():
    png = bytearray(encode(sample_picture(), "PNG"))
    png[40] ^= 0xFF  # inside IDAT: CRC no longer matches
    assert "damaged" in load_error(bytes(png))
    jpeg = bytearray(encode(sample_picture(), "JPEG"))
    jpeg[2:40] = b"\x00" * 38  # header destroyed
    load_error(bytes(jpeg))


def test_text_file_named_png(tmp_path):
    path = tmp_path / "xray.png"
    path.write_text("patient list, not a picture\n")
    message = load_error(path)
    assert "xray.png" in message and "not a picture" in message and "whatever its name" in message


def test_pdf_is_named_as_such(tmp_path):
    path = tmp_path / "letter.jpg"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    assert "PDF" in load_error(path)


def test_dicom_is_named_as_such():
    assert "DICOM" in load_error(b"\x00" * 128 + b"DICM" + b"\x02\x00" * 40)


def test_unsupported_picture_format():
    message = load_error(encode(sample_picture(), "PPM"))
    assert "PNG, JPEG, TIFF, WebP, BMP, GIF, a PDF letter or a DICOM image" in message


def test_header_claiming_huge_dimensions_is_refused_before_decoding():
    message = load_error(fixtures.png_claiming(100_000, 100_000))
    assert "10000 megapixels" in message and "more than the 100 megapixels" in message


def test_lowered_pixel_ceiling():
    data = encode(sample_picture(), "PNG")  # 96 x 64 = 6144 pixels
    assert load_picture(data, max_pixels=6144).width == 96
    assert "96 x 64" in load_error(data, max_pixels=6000)


def test_pillow_bomb_guard_applies_even_with_a_raised_ceiling():
    # 12000 x 9000 = 108 MP: our ceiling is raised, Pillow's warning must still stop it.
    message = load_error(fixtures.png_claiming(12_000, 9_000), max_pixels=10**12)
    assert "108 megapixels" in message
    assert Image.MAX_IMAGE_PIXELS == 100_000_000


def test_tiff_page_out_of_range():
    """A page the file does not have is a wrong choice (NoSuchPage: exit 2), not bad input."""
    from medsnap.imaging.record_errors import NoSuchPage

    with pytest.raises(NoSuchPage) as caught:
        load_picture(fixtures.tiff_with_everything(pages=2), page=5)
    message = caught.value.message
    assert "2 pages" in message and "page 6" in message and caught.value.exit_code == 2


def test_missing_file_and_folder(tmp_path):
    assert "does not exist" in load_error(tmp_path / "nope.png")
    assert "folder" in load_error(tmp_path)


def test_huge_dimensions_in_a_jpeg_header():
    data = bytearray(encode(sample_picture(), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = bytes.fromhex("ffffffff")  # 65535 x 65535
    assert "4295 megapixels" in load_error(bytes(data))


SAMPLES = [fixtures.jpeg_with_everything(), fixtures.png_with_everything(),
           fixtures.webp_with_everything(), fixtures.tiff_with_everything(),
           fixtures.gif_with_comment(), encode(sample_picture(), "BMP")]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(range(len(SAMPLES))), st.lists(
    st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=6),
    st.integers(min_value=0))
def test_mutated_files_load_or_raise_image_error(which, flips, cut):
    data = bytearray(SAMPLES[which])
    for position, value in flips:
        data[position % len(data)] = value
    try:
        picture = load_picture(bytes(data[: max(1, cut % (len(data) + 1))]))
    except ImageError:
        return
    assert picture.image.mode in ("RGB", "RGBA") and picture.image.info == {}
