"""load_picture: every format and pixel mode MedSnap reads becomes upright 8-bit RGB/RGBA."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from medsnap.imaging import Picture, load_picture
from tests.imaging import fixtures
from tests.imaging.fixture_parts import encode
from tests.imaging.fixtures import QUADRANTS, sample_picture

TOLERANCE = 40  # JPEG and WebP are lossy; quadrant colours are far apart


def quadrant_colours(image: Image.Image) -> list[tuple[int, ...]]:
    """Colour at the centre of each quadrant: top-left, top-right, bottom-left, bottom-right."""
    w, h = image.size
    points = ((w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4))
    return [image.getpixel(p)[:3] for p in points]


def assert_upright_sample(image: Image.Image, size: tuple[int, int] = (96, 64)) -> None:
    assert image.size == size
    for found, expected in zip(quadrant_colours(image), QUADRANTS):
        assert all(abs(a - b) <= TOLERANCE for a, b in zip(found, expected)), (found, expected)


def assert_only_pixels(picture: Picture) -> None:
    assert picture.image.mode in ("RGB", "RGBA")
    assert picture.image.info == {}
    assert type(picture.image) is Image.Image  # not a file-backed ImageFile subclass


@pytest.mark.parametrize("fmt,options", [
    ("PNG", {}), ("JPEG", {"quality": 95}), ("TIFF", {}), ("WEBP", {"quality": 95}),
    ("BMP", {}), ("GIF", {}),
])
def test_every_format_loads_upright_rgb(fmt, options):
    picture = load_picture(encode(sample_picture(), fmt, **options))
    assert_only_pixels(picture)
    assert picture.source_format == ("WEBP" if fmt == "WEBP" else fmt)
    assert (picture.width, picture.height, picture.page, picture.page_count) == (96, 64, 0, 1)
    assert_upright_sample(picture.image)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_baked_in(orientation):
    picture = load_picture(fixtures.jpeg_with_orientation(orientation))
    assert_only_pixels(picture)
    assert_upright_sample(picture.image)


def test_tiff_pages_first_by_default_and_page_two_on_request():
    data = fixtures.tiff_with_everything(pages=3)
    first, second = load_picture(data), load_picture(data, page=1)
    assert (first.page, first.page_count, second.page, second.page_count) == (0, 3, 1, 3)
    assert first.image.getpixel((10, 0)) != (255, 255, 255)
    assert second.image.getpixel((10, 0)) == (255, 255, 255)  # page 2 has a white stripe
    assert_only_pixels(second)


def test_animated_gif_loads_first_frame():
    picture = load_picture(fixtures.gif_with_comment())
    assert picture.page_count == 2 and picture.page == 0
    assert_upright_sample(picture.image)
    assert load_picture(fixtures.gif_with_comment(), page=1).image.getpixel((80, 50)) == (0, 0, 0)


def test_sixteen_bit_grey_png_maps_full_range():
    image = Image.new("I;16", (4, 2))
    image.putdata([0, 0x8080, 0xFFFF, 0x4000, 0, 0, 0, 0])
    picture = load_picture(encode(image, "PNG"))
    assert picture.image.mode == "RGB"
    assert [picture.image.getpixel((x, 0)) for x in range(4)] == [
        (0, 0, 0), (128, 128, 128), (255, 255, 255), (64, 64, 64)]


def test_cmyk_jpeg_converts_to_rgb():
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # pure red ink
    picture = load_picture(encode(cmyk, "JPEG", quality=95))
    red, green, blue = picture.image.getpixel((16, 16))
    assert picture.image.mode == "RGB" and red > 200 and green < 60 and blue < 60


def test_palette_with_transparency_keeps_alpha():
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.putpixel((0, 0), 0)
    picture = load_picture(encode(palette, "PNG", transparency=0))
    assert picture.image.mode == "RGBA"
    assert picture.image.getpixel((0, 0))[3] == 0
    assert picture.image.getpixel((4, 4)) == (255, 0, 0, 255)


@pytest.mark.parametrize("mode,value,expected", [
    ("L", 77, (77, 77, 77)), ("1", 1, (255, 255, 255)), ("LA", (90, 128), (90, 90, 90, 128)),
    ("RGBA", (1, 2, 3, 255), (1, 2, 3)),  # fully opaque alpha is dropped
])
def test_greyscale_and_alpha_modes(mode, value, expected):
    picture = load_picture(encode(Image.new(mode, (6, 6), value), "PNG"))
    assert picture.image.getpixel((3, 3)) == expected


def test_float_tiff_is_stretched_to_eight_bits():
    image = Image.new("F", (2, 1))
    image.putdata([-5.0, 5.0])
    picture = load_picture(encode(image, "TIFF"))
    assert [picture.image.getpixel((x, 0)) for x in range(2)] == [(0, 0, 0), (255, 255, 255)]


def _profile_with_red_and_green_swapped() -> bytes:
    """The fixture's sRGB profile with the red and green colorant tags exchanged."""
    profile = bytearray(fixtures.icc_profile())
    count = struct.unpack_from(">I", profile, 128)[0]
    entries = {bytes(profile[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    profile[red + 4:red + 12], profile[green + 4:green + 12] = (
        profile[green + 4:green + 12], profile[red + 4:red + 12])
    return bytes(profile)


def test_embedded_icc_profile_is_applied_then_dropped():
    # In this profile the first channel means green: a correct load shows green, not red.
    red_pixels = Image.new("RGB", (8, 8), (255, 0, 0))
    picture = load_picture(encode(red_pixels, "PNG", icc_profile=_profile_with_red_and_green_swapped()))
    red, green, blue = picture.image.getpixel((4, 4))
    assert green > 200 and red < 60 and blue < 60
    assert picture.image.info == {}


def test_srgb_profile_keeps_pixels():
    picture = load_picture(encode(sample_picture(), "PNG", icc_profile=fixtures.icc_profile()))
    assert_upright_sample(picture.image)
    assert picture.image.info == {}


def test_png_named_jpg_loads_by_content(tmp_path):
    path = tmp_path / "scan.jpg"
    path.write_bytes(encode(sample_picture(), "PNG"))
    picture = load_picture(path)
    assert picture.source_format == "PNG"
    assert_upright_sample(picture.image)


def test_loading_from_path_and_bytes_agree(tmp_path):
    data = fixtures.jpeg_with_everything(tmp_path / "photo.jpg")
    from_path, from_bytes = load_picture(tmp_path / "photo.jpg"), load_picture(data)
    assert from_path.image.tobytes() == from_bytes.image.tobytes()
    assert_only_pixels(from_path)


def test_rgb_file_pixels_are_detached_from_the_file():
    picture = load_picture(io.BytesIO(encode(sample_picture(), "PNG")).getvalue())
    picture.image.putpixel((0, 0), (1, 2, 3))  # writable: a plain in-memory image
    assert picture.image.getpixel((0, 0)) == (1, 2, 3)
