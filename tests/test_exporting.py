"""export_document / export_bytes: clean bytes checked by ExifTool, atomic writes."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess

import pytest
from PIL import Image

from medsnap import exporting
from medsnap.cli import main
from medsnap.document import Document, Marker, Rect, Redaction, Style, Text
from medsnap.errors import DocumentError, ExportError, SanitizeError
from medsnap.imaging import load_picture
from tests.imaging.fixtures import MARKERS, jpeg_with_everything, png_with_everything

pytestmark = pytest.mark.usefixtures("qapp")  # see tests/test_render.py

# The only ExifTool groups a pixels-only PNG/JPEG may show (file facts, JFIF header, IHDR)
_ALLOWED_GROUPS = {"SourceFile", "ExifTool", "System", "File", "JFIF", "Composite", "PNG"}
_PNG_HEADER_TAGS = {"ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression",
                    "Filter", "Interlace"}


def exiftool_tags(path) -> dict:
    result = subprocess.run(["exiftool", "-j", "-a", "-u", "-G1", "-b", "-ee", str(path)],
                            capture_output=True, text=True, check=True, timeout=60)
    return json.loads(result.stdout)[0]


@pytest.mark.interop
@pytest.mark.skipif(shutil.which("exiftool") is None, reason="ExifTool is not installed")
@pytest.mark.parametrize("builder,suffix", [(jpeg_with_everything, ".jpg"),
                                            (jpeg_with_everything, ".png"),
                                            (png_with_everything, ".jpg")])
def test_metadata_laden_input_exports_clean_for_exiftool(tmp_path, builder, suffix):
    source = tmp_path / "laden.bin"
    builder(source)
    before = exiftool_tags(source)
    assert any(key.split(":")[0] in ("IFD0", "XMP-dc", "ICC-header", "PNG") for key in before)
    out = tmp_path / f"clean{suffix}"
    assert main(["export", str(source), "-o", str(out), "--crop", "8,8,64,40"]) == 0
    tags = exiftool_tags(out)
    groups = {key.split(":")[0] for key in tags}
    assert groups <= _ALLOWED_GROUPS, tags
    assert {key.split(":")[1] for key in tags if key.startswith("PNG:")} <= _PNG_HEADER_TAGS
    assert not any("Thumbnail" in key or "Preview" in key for key in tags)
    assert "Warning" not in str(tags.get("ExifTool:Warning", ""))
    data = out.read_bytes()
    for marker in MARKERS.values():
        assert marker.encode() not in data


def picture_document(**kwargs) -> Document:
    image = Image.new("RGB", (120, 80), (240, 240, 240))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return Document(load_picture(buffer.getvalue()), **kwargs)


def test_export_bytes_are_verified_pixels_of_the_render():
    document = picture_document(crop=Rect(10, 10, 50, 40),
                                annotations=[Redaction(rect=Rect(10, 10, 5, 5)),
                                             Marker(number=1, centre=(40, 30)),
                                             Text(text="see", position=(12, 30),
                                                  style=Style(font_size=10))])
    data = exporting.export_bytes(document, "png")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (50, 40)
        assert image.getpixel((2, 2)) == (0, 0, 0)
        assert image.info == {} or set(image.info) <= {"dpi"}
    assert exporting.export_bytes(document, "jpeg", quality=50).startswith(b"\xff\xd8")


def test_export_refuses_what_it_cannot_do():
    with pytest.raises(ExportError):
        exporting.export_bytes(picture_document(), "gif")
    with pytest.raises(ExportError):
        exporting.export_bytes(picture_document(), "jpeg", quality=100)
    with pytest.raises(DocumentError):
        exporting.export_bytes(Document(size=(10, 10)), "png")


def test_writes_replace_an_existing_file_completely(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"old contents")
    assert exporting.export_document(picture_document(), target) == "png"
    assert target.read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_no_temporary_and_the_old_file_intact(tmp_path, monkeypatch,
                                                                   failing):
    # A full disk cannot be produced on demand: inject it where the write would hit it.
    target = tmp_path / "out.jpg"
    target.write_bytes(b"previous export")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporting.os, failing, disk_full)
    with pytest.raises(ExportError, match="No space left"):
        exporting.export_document(picture_document(), target)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jpg"]


def test_an_interrupted_write_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(exporting.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        exporting.export_document(picture_document(), tmp_path / "out.png")
    assert list(tmp_path.iterdir()) == []


def test_a_verifier_refusal_writes_nothing_and_exits_4(tmp_path, monkeypatch, capsys):
    # The real encoder never produces a dirty file; inject the verifier's refusal.
    def refuse(image, fmt=None, *, quality=90):
        raise SanitizeError("The exported image still carried metadata (test). Nothing was "
                            "written.")

    monkeypatch.setattr(exporting, "encode_clean", refuse)
    source = tmp_path / "in.png"
    Image.new("RGB", (20, 20)).save(source)
    assert main(["export", str(source), "-o", str(tmp_path / "out.png")]) == 4
    assert "Nothing was written" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["in.png"]


def test_exported_files_are_private_to_the_user(tmp_path):
    target = tmp_path / "out.png"
    exporting.export_document(picture_document(), target)
    assert os.stat(target).st_mode & 0o077 == 0


def test_load_for_export_loads_and_reports_bad_files_from_any_thread(tmp_path):
    import threading

    from medsnap.errors import ImageError

    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    Image.new("RGB", (30, 20), (1, 2, 3)).save(good)
    bad.write_bytes(b"not an image at all")
    assert exporting.load_for_export(good).image.getpixel((0, 0)) == (1, 2, 3)
    with pytest.raises(ImageError):
        exporting.load_for_export(bad)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(exporting.load_for_export(good).width))
    worker.start()
    worker.join()
    assert seen == [30]
