"""Orientation written by ExifTool (the peer), not by us: every value 1-8 loads upright."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from medsnap.imaging import encode_clean, find_metadata, load_picture
from tests.imaging.fixture_parts import encode
from tests.imaging.fixtures import QUADRANTS, sample_picture

pytestmark = pytest.mark.interop

# What a camera stores for each orientation: the upright picture turned the other way.
STORED = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
          6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_270}


def test_orientation_tags_written_by_exiftool_are_baked_in(tmp_path):
    assert shutil.which("exiftool"), "ExifTool is a required test peer"
    commands = []
    for orientation, turn in STORED.items():
        stored = sample_picture() if turn is None else sample_picture().transpose(turn)
        for fmt, suffix in (("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")):
            path = tmp_path / f"o{orientation}.{suffix}"
            path.write_bytes(encode(stored, fmt, **({"quality": 95} if fmt != "PNG" else {})))
            commands += [f"-Orientation#={orientation}", "-overwrite_original", str(path),
                         "-execute"]
    argfile = tmp_path / "args.txt"
    argfile.write_text("\n".join(commands) + "\n")
    subprocess.run(["exiftool", "-q", "-@", str(argfile)], check=True, timeout=120)

    for orientation in STORED:
        for suffix in ("jpg", "png", "webp"):
            path = tmp_path / f"o{orientation}.{suffix}"
            assert any(i.kind == "EXIF" for i in find_metadata(path.read_bytes())), path
            image = load_picture(path).image
            assert image.size == (96, 64), (orientation, suffix)
            w, h = image.size
            centres = ((w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4),
                       (3 * w // 4, 3 * h // 4))
            for centre, expected in zip(centres, QUADRANTS):
                found = image.getpixel(centre)
                assert all(abs(a - b) <= 40 for a, b in zip(found, expected)), (
                    orientation, suffix, centre, found)
            assert find_metadata(encode_clean(image)) == []
