"""What a new-user tester met with `medsnap export` and `medsnap inspect` (real processes):
export writes only under a .png/.jpg/.jpeg name that matches what it writes; inspect says a
damaged file or a decompression bomb could not be read (exit 3), not "metadata found" (1)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image

from medsnap.imaging import encode_clean
from tests.imaging import fixtures


def medsnap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medsnap", *args], capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "wound.png"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(path)
    return path


@pytest.mark.parametrize("name, accepted", [("out.txt", "'out.png'"), ("noext", "'noext.png'"),
                                            ("scan.webp", "'scan.png'")])
def test_export_refuses_a_name_that_does_not_say_png_or_jpeg(photo, tmp_path, name, accepted):
    target = tmp_path / name
    done = medsnap("export", str(photo), "-o", str(target))
    assert done.returncode == 2, done.stdout + done.stderr
    assert accepted in done.stderr and "Nothing was written" in done.stderr
    assert not target.exists()


def test_export_with_a_format_names_the_one_file_it_would_write(photo, tmp_path):
    done = medsnap("export", str(photo), "-o", str(tmp_path / "out.txt"), "--format", "jpeg")
    assert done.returncode == 2 and "'out.jpg'" in done.stderr, done.stderr


@pytest.mark.parametrize("name, signature", [("a.png", b"\x89PNG"), ("b.JPG", b"\xff\xd8"),
                                             ("c.jpeg", b"\xff\xd8")])
def test_export_writes_under_png_jpg_and_jpeg_names(photo, tmp_path, name, signature):
    done = medsnap("export", str(photo), "-o", str(tmp_path / name))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / name).read_bytes().startswith(signature)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(side: int) -> bytes:
    """A PNG whose header claims side x side pixels (a few rows of data follow)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 4)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows)
            + _png_chunk(b"IEND", b""))


def test_inspect_of_a_png_bomb_says_it_claims_too_many_pixels(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bomb(60000))
    done = medsnap("inspect", str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "claims to be 60000 x 60000" in done.stderr and "megapixels" in done.stderr
    assert "metadata item" not in done.stdout and "Traceback" not in done.stderr


def test_inspect_of_a_truncated_jpeg_says_it_is_damaged(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 30, 160)).save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    done = medsnap("inspect", str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.startswith("medsnap inspect: ") and "damaged" in done.stderr
    assert "cut short" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_inspect_lists_what_a_damaged_file_carries_before_the_damage(tmp_path):
    path = tmp_path / "camera.jpg"
    fixtures.jpeg_with_everything(path)
    data = path.read_bytes()
    after_comment = data.index(fixtures.MARKERS["comment"].encode())  # the last segment
    scan = data.index(b"\xff\xda", after_comment)  # the image's own start of scan
    path.write_bytes(data[: scan + 40])  # cut inside the image data
    done = medsnap("inspect", str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "GPS" in done.stdout and "damaged structure" not in done.stdout
    assert "listed above" in done.stderr


def test_inspect_of_a_clean_file_still_exits_0(tmp_path):
    path = tmp_path / "clean.png"
    path.write_bytes(encode_clean(fixtures.sample_picture(), "png"))
    assert medsnap("inspect", str(path)).returncode == 0
