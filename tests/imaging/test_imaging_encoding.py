"""encode_clean and choose_format: fresh PNG/JPEG from pixels only, verified before return."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from medsnap.errors import SanitizeError
from medsnap.imaging import choose_format, encode_clean, find_metadata, load_picture
from medsnap.imaging import encoding
from tests.imaging import fixtures
from tests.imaging.fixtures import sample_picture


def screenshot() -> Image.Image:
    """Something like a screenshot of an electronic record: flat colours and text."""
    image = Image.new("RGB", (640, 400), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 639, 36), fill=(20, 60, 120))
    font = ImageFont.load_default(size=14)
    for row in range(14):
        draw.text((20, 50 + 24 * row), f"Obs {row}: BP 120/80 HR 72 SpO2 98% RR 16 T 36.8",
                  fill=(30, 30, 30), font=font)
    return image


def photo() -> Image.Image:
    """Something like a camera photo: smooth gradients plus sensor noise in every channel."""
    size = (640, 400)
    gradient = Image.linear_gradient("L").resize(size)
    channels = [Image.blend(gradient, Image.effect_noise(size, sigma), 0.5)
                for sigma in (30, 40, 50)]
    return Image.merge("RGB", channels)


def test_choose_format_tells_screenshots_from_photos():
    assert choose_format(screenshot()) == "png"
    assert choose_format(photo()) == "jpeg"
    assert choose_format(Image.new("RGB", (1, 1))) == "png"


def test_transparency_chooses_png_and_opaque_alpha_does_not():
    transparent = screenshot().convert("RGBA")
    transparent.putpixel((0, 0), (0, 0, 0, 0))
    assert choose_format(transparent) == "png"
    assert choose_format(photo().convert("RGBA")) == "jpeg"


def test_png_round_trip_is_lossless_and_clean():
    source = screenshot()
    data = encode_clean(source)
    assert data.startswith(b"\x89PNG") and find_metadata(data) == []
    assert Image.open(io.BytesIO(data)).tobytes() == source.tobytes()


def test_jpeg_quality_is_honoured():
    small, large = encode_clean(photo(), "jpeg", quality=40), encode_clean(photo(), "jpeg",
                                                                            quality=95)
    assert small.startswith(b"\xff\xd8") and len(small) < len(large)
    assert find_metadata(small) == [] and find_metadata(large) == []


def test_rgba_to_jpeg_is_composited_on_white():
    image = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    data = encode_clean(image, "jpeg")
    assert Image.open(io.BytesIO(data)).getpixel((8, 8)) >= (250, 250, 250)
    assert Image.open(io.BytesIO(encode_clean(image, "png"))).mode == "RGBA"


def test_source_info_never_reaches_the_output():
    # An image object still carrying a comment, EXIF and an ICC profile in .info.
    image = sample_picture()
    image.info.update(comment=b"MEDSNAP-SECRET-COMMENT-2208", exif=fixtures.exif_block(),
                      icc_profile=fixtures.icc_profile(), transparency=(1, 2, 3))
    for fmt in ("png", "jpeg"):
        data = encode_clean(image, fmt)
        assert find_metadata(data) == []
        assert b"MEDSNAP" not in data


def test_everything_fixture_through_load_and_encode_is_clean():
    picture = load_picture(fixtures.jpeg_with_everything())
    for fmt in ("png", "jpeg"):
        data = encode_clean(picture.image, fmt)
        assert find_metadata(data) == []
        assert b"MEDSNAP" not in data and b"Exif" not in data and b"ICC_PROFILE" not in data


def test_encoder_refuses_output_the_verifier_rejects(monkeypatch):
    # Fault injection: a future change lets a source comment through to the encoder.
    def leaky_copy(image):
        fresh = image.copy()
        fresh.info["comment"] = b"leaked note"
        return fresh

    monkeypatch.setattr(encoding, "plain_image", leaky_copy)
    with pytest.raises(SanitizeError) as caught:
        encode_clean(sample_picture(), "jpeg")
    assert "comment" in caught.value.message and "not written" in caught.value.message


@pytest.mark.parametrize("fmt,quality", [("gif", 90), ("png", 0), ("jpeg", 101)])
def test_bad_arguments_are_programming_errors(fmt, quality):
    with pytest.raises(ValueError):
        encode_clean(sample_picture(), fmt, quality=quality)


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_greyscale_input_stays_one_grey_plane(fmt):
    # a radiograph: one 8-bit plane in, one out (a third of the bytes of RGB)
    data = encode_clean(Image.new("L", (8, 8), 100), fmt)
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "L" and abs(image.getpixel((1, 1)) - 100) <= 1
