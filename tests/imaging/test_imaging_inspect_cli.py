"""`medsnap inspect FILE` in a real process: lists items, exit 1 dirty, 0 clean, 3 unreadable
or damaged."""

from __future__ import annotations

import json
import subprocess
import sys

from medsnap.imaging import encode_clean
from tests.imaging import fixtures


def inspect(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medsnap", "inspect", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_dirty_file_lists_every_item_and_exits_1(tmp_path):
    path = tmp_path / "photo.jpg"
    fixtures.jpeg_with_everything(path)
    result = inspect(str(path))
    assert result.returncode == 1, result.stderr
    for expected in ("JPEG APP1 at offset", "GPS", "thumbnail", "XMP", "ICC profile", "IPTC",
                     "comment", "after JPEG EOI", "trailing data"):
        assert expected in result.stdout
    assert result.stderr == ""


def test_json_output_matches_the_text(tmp_path):
    path = tmp_path / "scan.png"
    fixtures.png_with_everything(path)
    result = inspect("--json", str(path))
    items = json.loads(result.stdout)
    assert result.returncode == 1
    assert {"location": "PNG chunk tEXt at offset 33", "kind": "text",
            "detail": f'keyword "Comment" = "{fixtures.MARKERS["png_text"]}"'} in items


def test_clean_file_exits_0(tmp_path):
    path = tmp_path / "clean.png"
    path.write_bytes(encode_clean(fixtures.sample_picture(), "png"))
    result = inspect(str(path))
    assert result.returncode == 0 and "no metadata" in result.stdout


def test_unreadable_inputs_exit_3_with_a_message_on_stderr(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    for path in (text, empty, tmp_path / "missing.png", tmp_path):
        result = inspect(str(path))
        assert result.returncode == 3, (path, result)
        assert result.stdout == "" and result.stderr.startswith("medsnap inspect: ")
        assert "Traceback" not in result.stderr


def test_damaged_file_reports_the_damage(tmp_path):
    data = bytearray(encode_clean(fixtures.sample_picture(), "png"))
    data[-5] ^= 0xFF  # IEND CRC
    path = tmp_path / "damaged.png"
    path.write_bytes(bytes(data))
    result = inspect(str(path))  # could not be read to the end: exit 3, not "metadata" (1)
    assert result.returncode == 3 and "is damaged" in result.stderr, result
    assert result.stdout == ""
