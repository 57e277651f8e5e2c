"""The independent scanner finds metadata wherever a file hides it, and never hangs or crashes."""

from __future__ import annotations

import struct
import time
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medsnap.errors import ImageError, SanitizeError
from medsnap.imaging import encode_clean, find_metadata, load_picture, verify_clean
from tests.imaging import fixtures
from tests.imaging.fixture_parts import encode, jpeg_segment, png_chunk
from tests.imaging.fixtures import sample_picture

EVERYTHING = {
    "jpeg": (fixtures.jpeg_with_everything, {"EXIF", "GPS", "thumbnail", "XMP", "ICC profile",
                                             "IPTC", "comment", "trailing data", "timestamp",
                                             "device", "author"}),
    "png": (fixtures.png_with_everything, {"text", "XMP", "EXIF", "GPS", "thumbnail",
                                           "timestamp", "ICC profile", "trailing data"}),
    "webp": (fixtures.webp_with_everything, {"EXIF", "GPS", "thumbnail", "XMP", "ICC profile"}),
    "tiff": (fixtures.tiff_with_everything, {"text", "device", "software", "timestamp", "author",
                                             "XMP", "IPTC", "ICC profile", "GPS"}),
    "gif": (fixtures.gif_with_comment, {"comment"}),
}


def kinds(data: bytes) -> set[str]:
    return {item.kind for item in find_metadata(data)}


@pytest.mark.parametrize("name", sorted(EVERYTHING))
def test_every_hiding_place_is_found(name):
    build, expected = EVERYTHING[name]
    found = kinds(build())
    assert expected <= found, expected - found


def test_locations_name_the_place_in_the_file():
    items = find_metadata(fixtures.jpeg_with_everything())
    assert any(i.location.startswith("JPEG APP1 at offset") and i.kind == "EXIF" for i in items)
    assert any(i.location.startswith("after JPEG EOI") and "image data" in i.detail
               for i in items)
    assert any('"MEDSNAP-SECRET-ICC-2795"' in i.detail for i in items)  # profile description
    png_items = find_metadata(fixtures.png_with_everything())
    assert png_items[0].location == "PNG chunk tEXt at offset 33"


def test_clean_output_of_both_formats_has_no_items():
    for fmt in ("png", "jpeg"):
        assert find_metadata(encode_clean(sample_picture(), fmt)) == []


@pytest.mark.parametrize("extra", [
    png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 1, 2, 3, 4, 5)),
    png_chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1)),
    png_chunk(b"prIV", b"private"),
])
def test_png_chunks_beyond_pixels_are_rejected(extra):
    clean = encode_clean(sample_picture(), "png")
    dirty = clean[:33] + extra + clean[33:]
    with pytest.raises(SanitizeError):
        verify_clean(dirty)


@pytest.mark.parametrize("segment", [
    jpeg_segment(0xFE, b"note"),
    jpeg_segment(0xE1, b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00\x00\x00"),
    jpeg_segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01"),
    jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x01\x01\x00\x00\x00"),  # 1x1 thumb
    jpeg_segment(0xEF, b"anything"),
])
def test_jpeg_segments_beyond_pixels_are_rejected(segment):
    clean = encode_clean(sample_picture(), "jpeg")
    with pytest.raises(SanitizeError):
        verify_clean(clean[:2] + segment + clean[2:])


def test_bytes_after_the_end_marker_are_rejected():
    for fmt in ("png", "jpeg"):
        with pytest.raises(SanitizeError) as caught:
            verify_clean(encode_clean(sample_picture(), fmt) + b"\x00")
        assert "trailing data" in caught.value.message


def test_only_png_and_jpeg_can_pass_the_verifier():
    with pytest.raises(SanitizeError):
        verify_clean(encode(sample_picture(), "BMP"))
    assert find_metadata(encode(sample_picture(), "BMP")) == []


def test_damage_is_reported_not_raised():
    clean = bytearray(encode_clean(sample_picture(), "png"))
    clean[20] ^= 1  # IHDR CRC
    items = find_metadata(bytes(clean))
    assert [i.kind for i in items] == ["damaged structure"] and "CRC" in items[0].detail
    truncated = encode_clean(sample_picture(), "jpeg")[:-40]
    assert kinds(truncated) == {"damaged structure"}
    with pytest.raises(SanitizeError):
        verify_clean(truncated)


def test_not_an_image_is_a_typed_error():
    with pytest.raises(ImageError):
        find_metadata(b"%PDF-1.4 not a picture")


def test_exif_ifd_loops_and_wild_offsets_terminate():
    looped = b"II*\x00\x08\x00\x00\x00" + struct.pack("<H", 0) + struct.pack("<I", 8)
    items = find_metadata(looped)
    assert items and items[-1].kind == "damaged structure"
    wild = b"MM\x00*" + struct.pack(">I", 0xFFFFFF00)
    assert find_metadata(wild)[-1].kind == "damaged structure"


SAMPLES = [fixtures.jpeg_with_everything(), fixtures.png_with_everything(),
           fixtures.webp_with_everything(), fixtures.tiff_with_everything(),
           fixtures.gif_with_comment(), encode(sample_picture(), "BMP")]


def _scan_is_safe(data: bytes) -> None:
    started = time.monotonic()
    try:
        result = find_metadata(data)
        assert isinstance(result, list)
    except ImageError:
        pass
    assert time.monotonic() - started < 2.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_give_a_list_or_a_typed_error(data):
    _scan_is_safe(data)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(SAMPLES))), st.lists(
    st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
    st.integers(min_value=0))
def test_mutated_real_files_give_a_list_or_a_typed_error(which, flips, cut):
    data = bytearray(SAMPLES[which])
    for position, value in flips:
        data[position % len(data)] = value
    _scan_is_safe(bytes(data[: max(1, cut % (len(data) + 1))]))


def _png_with_idat(ihdr: bytes, stream: bytes) -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", stream)
            + png_chunk(b"IEND", b""))


RGB_2X2 = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
ROWS = (b"\x00" + b"\x10" * 6) * 2


def test_png_pixel_stream_must_hold_exactly_the_picture():
    assert find_metadata(_png_with_idat(RGB_2X2, zlib.compress(ROWS))) == []
    hidden_after = _png_with_idat(RGB_2X2, zlib.compress(ROWS) + b"secret")
    assert [i.kind for i in find_metadata(hidden_after)] == ["hidden data"]
    extra_rows = _png_with_idat(RGB_2X2, zlib.compress(ROWS + b"\x00" + b"secret"))
    assert [i.kind for i in find_metadata(extra_rows)] == ["hidden data"]
    short = _png_with_idat(RGB_2X2, zlib.compress(ROWS[:-1]))
    assert [i.kind for i in find_metadata(short)] == ["damaged structure"]


def test_png_inflation_is_bounded():
    bomb = _png_with_idat(RGB_2X2, zlib.compress(b"\x00" * 50_000_000, 9))
    started = time.monotonic()
    assert [i.kind for i in find_metadata(bomb)] == ["hidden data"]
    assert time.monotonic() - started < 0.5


def test_interlaced_png_size_is_understood():
    # 3x3 RGB, Adam7: passes of 1x1, 1x1, 2x1, 1x2 and 3x1 pixels -> 4+4+7+8+10 = 33 bytes.
    ihdr = struct.pack(">IIBBBBB", 3, 3, 8, 2, 0, 0, 1)
    exact = _png_with_idat(ihdr, zlib.compress(b"\x00" * 33))
    assert find_metadata(exact) == []
    assert load_picture(exact).image.getpixel((2, 2)) == (0, 0, 0)  # a real decoder agrees
    assert [i.kind for i in find_metadata(_png_with_idat(ihdr, zlib.compress(b"\x00" * 34)))] \
        == ["hidden data"]


def test_palette_in_a_truecolour_png_is_reported():
    clean = encode_clean(sample_picture(), "png")
    dirty = clean[:33] + png_chunk(b"PLTE", b"hidden palette bytes") + clean[33:]
    items = find_metadata(dirty[:33] + png_chunk(b"PLTE", b"abc" * 4) + clean[33:])
    assert [i.kind for i in items] == ["application data"]
    with pytest.raises(SanitizeError):
        verify_clean(dirty)


def test_camera_mpo_previews_are_found_and_not_pages():
    main, preview = sample_picture(), sample_picture(48, 32)
    data = encode(main, "MPO", save_all=True, append_images=[preview])
    found = kinds(data)
    assert {"embedded image", "trailing data"} <= found
    picture = load_picture(data)
    assert picture.page_count == 1 and picture.source_format == "JPEG"


def test_bmp_and_webp_extras():
    bmp = encode(sample_picture(), "BMP")
    assert kinds(bmp + b"appended") == {"trailing data"}
    webp = fixtures.webp_with_everything()
    riff_end = 8 + struct.unpack_from("<I", webp, 4)[0]
    assert "trailing data" in kinds(webp[:riff_end] + b"more")


def test_tiff_with_too_many_pages_says_so():
    header = b"II*\x00" + struct.pack("<I", 8)
    ifds = b""
    for index in range(300):  # empty IFDs, each pointing at the next
        at = 8 + 6 * index
        ifds += struct.pack("<HI", 0, at + 6 if index < 299 else 0)
    items = find_metadata(header + ifds)
    assert items and "not inspected" in items[-1].detail


@pytest.mark.parametrize("options", [
    {"progressive": True}, {"restart_marker_rows": 1}, {"subsampling": "4:4:4"},
])
def test_jpeg_encoder_variants_are_pixels_only(options):
    data = encode(sample_picture(), "JPEG", quality=80, **options)
    assert find_metadata(data) == []
    verify_clean(data)


def test_cmyk_jpeg_adobe_marker_is_reported():
    from PIL import Image
    data = encode(Image.new("CMYK", (16, 16)), "JPEG")
    assert kinds(data) == {"colour space"}
