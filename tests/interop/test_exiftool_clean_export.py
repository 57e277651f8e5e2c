"""ExifTool (the reference peer) against our loader, clean encoder and metadata scanner.

Dirty fixtures carry metadata in every place; after load_picture + encode_clean ExifTool
must see nothing but the basic image description, and our scanner must find at least
everything ExifTool finds in the dirty files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from medsnap.imaging import encode_clean, find_metadata, load_picture
from tests.imaging import fixtures
from tests.imaging.fixtures import MARKERS

pytestmark = pytest.mark.interop

DIRTY = {
    "jpeg": (fixtures.jpeg_with_everything, "photo.jpg"),
    "png": (fixtures.png_with_everything, "scan.png"),
    "webp": (fixtures.webp_with_everything, "phone.webp"),
    "tiff": (fixtures.tiff_with_everything, "letter.tif"),
    "gif": (fixtures.gif_with_comment, "clip.gif"),
}
# What a clean file may show: ExifTool's own and file-system facts, and the pixel format.
BASIC = {
    "File": {"FileType", "FileTypeExtension", "MIMEType", "ImageWidth", "ImageHeight",
             "EncodingProcess", "BitsPerSample", "ColorComponents", "YCbCrSubSampling",
             "JPEGImageLength", "JPEGQualityEstimate", "JPEGDigest"},
    "PNG": {"ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression", "Filter",
            "Interlace"},
    "JFIF": {"JFIFVersion", "ResolutionUnit", "XResolution", "YResolution"},
    "Composite": {"ImageSize", "Megapixels"},
    "ExifTool": {"ExifToolVersion", "Now", "NewGUID", "FileSequence", "ProcessingTime"},
}


def exiftool(*paths: Path) -> dict[str, dict]:
    """Every tag ExifTool can find, embedded documents included, keyed by file path."""
    assert shutil.which("exiftool"), "ExifTool is a required test peer (libimage-exiftool-perl)"
    result = subprocess.run(
        ["exiftool", "-j", "-a", "-u", "-G1", "-ee3", "-api", "RequestAll=3", *map(str, paths)],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return {entry["SourceFile"]: entry for entry in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Dirty fixtures and their clean PNG and JPEG exports, written to disk."""
    folder = tmp_path_factory.mktemp("exiftool")
    paths = {}
    for name, (build, filename) in DIRTY.items():
        dirty = folder / filename
        build(dirty)
        paths[name] = dirty
        picture = load_picture(dirty)
        for fmt in ("png", "jpeg"):
            clean = folder / f"{name}-clean.{fmt}"
            clean.write_bytes(encode_clean(picture.image, fmt))
            paths[f"{name}-clean.{fmt}"] = clean
    return paths


@pytest.fixture(scope="module")
def tags(files) -> dict[str, dict]:
    found = exiftool(*files.values())
    return {name: found[str(path)] for name, path in files.items()}


def non_basic(entry: dict) -> dict[str, object]:
    extra = {}
    for key, value in entry.items():
        if key == "SourceFile" or key.startswith("System:"):
            continue
        group, _, tag = key.partition(":")
        if tag not in BASIC.get(group, set()):
            extra[key] = value
    return extra


@pytest.mark.parametrize("name", sorted(DIRTY))
def test_exiftool_sees_the_fixture_markers(name, tags):
    text = json.dumps(tags[name])
    visible = [m for m in MARKERS.values() if m in text]
    assert len(visible) >= (1 if name == "gif" else 4), visible


@pytest.mark.parametrize("name", sorted(DIRTY))
@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_clean_export_shows_nothing_beyond_basics(name, fmt, tags):
    assert non_basic(tags[f"{name}-clean.{fmt}"]) == {}


@pytest.mark.parametrize("name", sorted(DIRTY))
@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_clean_export_bytes_hold_no_marker(name, fmt, files):
    data = files[f"{name}-clean.{fmt}"].read_bytes()
    for marker in MARKERS.values():
        for encoding in ("ascii", "utf-16-be", "utf-16-le"):
            assert marker.encode(encoding) not in data
    assert b"MEDSNAP" not in data and find_metadata(data) == []


def expected_kind(group: str, tag: str) -> str | None:
    """The scanner kind that must cover an ExifTool tag; None for basic image facts."""
    if tag in {"ThumbnailImage", "ThumbnailOffset", "ThumbnailLength", "PreviewImage"}:
        return "thumbnail"
    if group == "GPS" or group == "Composite" and tag.startswith("GPS"):
        return "GPS"
    if group.startswith("XMP"):
        return "XMP"
    if group.startswith("ICC") or tag == "ProfileName":
        return "ICC profile"
    if group.startswith("IPTC") or tag == "CurrentIPTCDigest":
        return "IPTC"
    if group == "ExifTool" and tag == "Warning":
        return "trailing data"
    named = {"ImageDescription": "text", "Make": "device", "Model": "device",
             "Software": "software", "ModifyDate": "timestamp", "Artist": "author",
             "DateTimeOriginal": "timestamp", "UserComment": "comment"}
    if group in ("IFD0", "IFD1", "IFD2", "ExifIFD") and tag in named:
        return named[tag]
    if tag == "Comment":
        return "text" if group == "PNG" else "comment"
    if group == "PNG" and tag == "Description":
        return "text"
    if group == "PNG" and tag == "ModifyDate":  # tIME chunk
        return "timestamp"
    return None


STRUCTURE = {"ImageWidth", "ImageHeight", "BitsPerSample", "Compression", "StripOffsets",
             "PhotometricInterpretation", "SamplesPerPixel", "RowsPerStrip", "StripByteCounts",
             "PlanarConfiguration", "ExifByteOrder", "GIFVersion", "HasColorMap",
             "ColorResolutionDepth", "BitsPerPixel", "BackgroundColor", "AnimationIterations",
             "TransparentColor", "FrameCount", "Duration", "VP8Version", "HorizontalScale",
             "VerticalScale", "WebP_Flags"}


@pytest.mark.parametrize("name", sorted(DIRTY))
def test_scanner_finds_everything_exiftool_finds(name, tags, files):
    ours = {item.kind for item in find_metadata(files[name].read_bytes())}
    missing = {}
    for key in non_basic(tags[name]):
        group, _, tag = key.partition(":")
        kind = expected_kind(group, tag)
        if kind is None:
            assert tag in STRUCTURE, f"ExifTool tag {key} is not mapped by this test"
        elif kind not in ours:
            missing[key] = kind
    assert missing == {}


def test_scanner_also_finds_the_jpeg_trailer_exiftool_ignores(files):
    data = files["jpeg"].read_bytes()
    assert MARKERS["trailer"].encode() in data[data.rindex(b"\xff\xd9"):]
    assert any(item.kind == "trailing data" for item in find_metadata(data))
