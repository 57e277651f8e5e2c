"""png_writer: our own PNG (IHDR, IDAT, IEND) decodes to exactly the pixels, with every filter
and level, across band and chunk boundaries; the choice of filter and level follows the picture;
ExifTool and the verifier see nothing but pixels in a many-chunk file."""

from __future__ import annotations

import io
import random
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw

from medsnap.imaging import find_metadata, verify_clean
from medsnap.imaging import png_writer
from medsnap.imaging.png_writer import AVERAGE, NONE, SUB, UP, encode_png


def noise(mode: str, size: tuple[int, int], seed: int = 7) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))


def gradient(mode: str, size: tuple[int, int]) -> Image.Image:
    """Smooth in both directions, with a little noise: what a photograph's sky looks like."""
    base = Image.linear_gradient("L").resize(size)
    rotated = base.rotate(90).resize(size)
    grain = Image.effect_noise(size, 4)
    bands = [base, rotated, grain, Image.blend(base, rotated, 0.5)]
    return Image.merge(mode, bands[:len(mode)]) if len(mode) > 1 else \
        Image.blend(base, rotated, 0.5)


def record_screenshot() -> Image.Image:
    image = Image.new("RGB", (400, 300), (248, 248, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 399, 30), fill=(0, 94, 184))
    for row in range(12):
        draw.text((10, 40 + row * 20), f"Obs {row}: BP 120/80 HR 72 SpO2 98%", fill=(20, 20, 30))
    return image


def decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
@pytest.mark.parametrize("size", [(1, 1), (1, 9), (9, 1), (2, 3), (61, 47)])
@pytest.mark.parametrize("kind", [NONE, SUB, UP, AVERAGE])
@pytest.mark.parametrize("level", [0, 1])
def test_every_filter_and_level_decodes_to_the_same_pixels(monkeypatch, mode, size, kind,
                                                           level):
    monkeypatch.setattr(png_writer, "choose_filter_and_level", lambda image: (kind, level))
    for source in (noise(mode, size), gradient(mode, size)):
        out = decoded(encode_png(source))
        assert (out.mode, out.size) == (mode, size)
        assert out.tobytes() == source.tobytes()


@pytest.mark.parametrize("kind", [NONE, SUB, UP, AVERAGE])
def test_bands_and_chunks_join_seamlessly(monkeypatch, kind):
    # a few rows per band and small IDAT chunks: the row above a band comes from the band
    # before it, and the stream is cut anywhere
    monkeypatch.setattr(png_writer, "_BAND_BYTES", 300)
    monkeypatch.setattr(png_writer, "_IDAT_BYTES", 97)
    monkeypatch.setattr(png_writer, "choose_filter_and_level", lambda image: (kind, 1))
    source = gradient("RGB", (50, 40))  # unfiltered rows end a band with the next filter byte
    data = encode_png(source)
    assert data.count(b"IDAT") > 5
    assert decoded(data).tobytes() == source.tobytes()
    verify_clean(data)


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_rows_from_pillows_public_way_are_the_same(monkeypatch, mode):
    # raw_rows uses Pillow's internal raw encoder; a Pillow without it takes tobytes
    source = noise(mode, (37, 23))
    fast = [png_writer.raw_rows(source, 3, 20, stride) for stride in (37 * len(mode),
                                                                     37 * len(mode) + 1)]
    assert fast[0] == source.crop((0, 3, 37, 20)).tobytes()
    assert fast[1][37 * len(mode)] == 0 and len(fast[1]) == 17 * (37 * len(mode) + 1)
    def refused(mode, stride):
        raise TypeError("this Pillow's raw encoder takes other arguments")

    monkeypatch.setattr(png_writer, "_raw_encoder", refused)
    assert [png_writer.raw_rows(source, 3, 20, stride) for stride in (
        37 * len(mode), 37 * len(mode) + 1)] == fast
    for kind, level in [(NONE, 0), (UP, 1)]:
        monkeypatch.setattr(png_writer, "choose_filter_and_level",
                            lambda image, chosen=(kind, level): chosen)
        assert decoded(encode_png(source)).tobytes() == source.tobytes()


def test_noise_is_stored_and_drawn_pictures_are_deflated():
    # stored rows go unfiltered: a filter only helps deflate, and costs time
    assert png_writer.choose_filter_and_level(noise("RGB", (300, 200))) == (NONE, 0)
    stored = encode_png(noise("RGB", (300, 200)))
    assert len(stored) < 300 * 200 * 3 * 1.01  # stored blocks add a few bytes per 64 KB
    screenshot = record_screenshot()
    deflated = encode_png(screenshot)
    assert png_writer.choose_filter_and_level(screenshot)[1] == 1
    assert len(deflated) < 400 * 300 * 3 // 10


def test_a_smooth_picture_is_filtered():
    kind, level = png_writer.choose_filter_and_level(gradient("RGB", (300, 200)))
    assert kind != NONE and level == 1


def test_same_pixels_same_bytes():
    source = gradient("RGBA", (120, 80))
    assert encode_png(source) == encode_png(source.copy())


def test_only_pixel_chunks_and_exiftool_agrees(tmp_path):
    # stored noise over 1 MB: more than one IDAT chunk
    source = noise("RGB", (700, 600))
    data = encode_png(source)
    assert data.count(b"IDAT") == 2
    assert find_metadata(data) == []
    verify_clean(data)
    assert shutil.which("exiftool"), "ExifTool is a required test peer"
    path = tmp_path / "clean.png"
    path.write_bytes(data)
    found = subprocess.run(["exiftool", "-s", "-G1", "-a", "-u", str(path)],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    tags = {line.split(":")[0].split("]")[-1].strip() for line in found.splitlines() if line}
    assert tags <= {"", "ExifToolVersion", "FileName", "Directory", "FileSize", "FileModifyDate",
                    "FileAccessDate", "FileInodeChangeDate", "FilePermissions", "FileType",
                    "FileTypeExtension", "MIMEType", "ImageWidth", "ImageHeight", "BitDepth",
                    "ColorType", "Compression", "Filter", "Interlace", "ImageSize",
                    "Megapixels"}, found
