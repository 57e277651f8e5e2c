"""`medsnap export` of PDF letters and DICOM images: nothing of the source survives.

Each export runs the real command in a subprocess; ExifTool (-a -G1 -u: every tag, unknown
ones too) and a plain byte search must find none of the marker values hidden in the PDF's
document information and JPEG, or in the DICOM header, private tags and nested sequences.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from pydicom.uid import RLELossless

from tests.imaging.record_fixtures import (PAGE_TEXT, RECORD_MARKERS, add_overlay,
                                           dicom_bytes, dicom_dataset, encrypted_pdf,
                                           pdf_letter, ramp)

pytestmark = pytest.mark.interop
EXIFTOOL = shutil.which("exiftool")


def export(source, out, *options, stdin: str | None = None, env_extra=None):
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY",
                          "MEDSNAP_PDF_PASSWORD")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "medsnap", "export", str(source), "-o",
                           str(out), *map(str, options)], input=stdin, capture_output=True,
                          text=True, timeout=90, env=env)


def assert_no_marker(path):
    data = path.read_bytes()
    values = list(RECORD_MARKERS.values()) + [PAGE_TEXT.format(n=n) for n in range(1, 5)]
    for value in values:
        for form in {value, value.replace("^", " "), value.split("^")[0]}:
            assert form.encode() not in data, form
            assert form.encode("utf-16-le") not in data, form
    if EXIFTOOL:
        tags = subprocess.run([EXIFTOOL, "-a", "-G1", "-u", "-s", str(path)],
                              capture_output=True, text=True, check=True).stdout
        for value in values:
            assert value.split("^")[0] not in tags, value
        assert "MSREC" not in tags
        # pixels only: no text chunk, comment, EXIF, XMP or ICC group in the clean file
        groups = {line.split("]")[0].strip("[ ") for line in tags.splitlines() if "]" in line}
        assert groups <= {"ExifTool", "System", "File", "PNG", "JFIF", "Composite"}, groups


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (Debian libimage-exiftool-perl)")
@pytest.mark.parametrize("page, fmt", [(1, "png"), (3, "jpg")])
def test_pdf_letter_exports_a_clean_raster(tmp_path, page, fmt):
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf_letter(4, scanned_page=2))
    out = tmp_path / f"page.{fmt}"
    result = export(source, out, "--page", page, "--dpi", 100,
                    "--redact", "90,90,400,60")
    assert result.returncode == 0, result.stderr
    with Image.open(out) as image:
        assert image.size == (827, 1170)  # A4 at 100 dpi
        assert image.convert("L").getpixel((200, 120)) < 20  # the redaction is in the pixels
    assert_no_marker(out)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (Debian package) is missing")
def test_protected_pdf_exports_with_password_from_stdin_or_env(tmp_path):
    source = encrypted_pdf(tmp_path / "protected.pdf", "Ward7-Secret")
    out = tmp_path / "page.png"
    refused = export(source, out, "--dpi", 72)
    assert refused.returncode == 3 and "--password-stdin" in refused.stderr
    assert "Traceback" not in refused.stderr and not out.exists()
    wrong = export(source, out, "--dpi", 72, env_extra={"MEDSNAP_PDF_PASSWORD": "nope"})
    assert wrong.returncode == 3 and "does not open" in wrong.stderr
    result = export(source, out, "--dpi", 72, "--password-stdin", stdin="Ward7-Secret\n")
    assert result.returncode == 0, result.stderr
    assert_no_marker(out)
    assert b"Ward7-Secret" not in out.read_bytes()


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (Debian libimage-exiftool-perl)")
def test_dicom_exports_pixels_only(tmp_path):
    frames = np.stack([ramp(48, 64, 0, 4095) for _ in range(3)])
    frames[1] //= 2
    ds = dicom_dataset(frames, frames=3, BitsStored=12, BurnedInAnnotation="YES",
                       PhotometricInterpretation="MONOCHROME1",
                       WindowCenter=2048, WindowWidth=4096)
    ds.compress(RLELossless)
    source = tmp_path / "IM0001"
    source.write_bytes(dicom_bytes(ds))
    assert RECORD_MARKERS["patient_name"].encode() in source.read_bytes()
    out = tmp_path / "frame.png"
    result = export(source, out, "--frame", 2, "--window", "1024,2048")
    assert result.returncode == 0, result.stderr
    assert "redaction tool" in result.stderr  # the burned-in caution
    with Image.open(out) as image:
        row = np.asarray(image.convert("L"))[0]
    assert row[0] == 255 and row[-1] < 130  # MONOCHROME1, frame 2 holds half the values
    assert_no_marker(out)


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (Debian libimage-exiftool-perl)")
def test_dicom_overlay_is_exported_as_pixels_and_its_text_is_not(tmp_path):
    bits = np.zeros((20, 30), np.uint8)
    bits[0, :], bits[:, 0] = 1, 1  # an L-shaped mark
    ds = add_overlay(dicom_dataset(ramp(48, 64, 0, 1000), WindowCenter=500, WindowWidth=1001),
                     bits, origin=(11, 6))
    source = tmp_path / "IM0002.dcm"
    source.write_bytes(dicom_bytes(ds))
    assert RECORD_MARKERS["overlay_label"].encode() in source.read_bytes()
    shown, hidden = tmp_path / "shown.png", tmp_path / "hidden.png"
    result = export(source, shown)
    assert result.returncode == 0, result.stderr
    assert "overlay" in result.stderr and "--no-overlays" in result.stderr
    left_out = export(source, hidden, "--no-overlays")
    assert left_out.returncode == 0, left_out.stderr
    assert "overlay" not in left_out.stderr
    with Image.open(shown) as with_marks, Image.open(hidden) as without:
        marked = np.asarray(with_marks.convert("L")).astype(int)
        plain = np.asarray(without.convert("L")).astype(int)
    assert (marked[10, 5:35] == 255).all() and (marked[10:30, 5] == 255).all()
    assert (plain[10, 5:35] < 255).any() and (marked[:10] == plain[:10]).all()
    for path in (shown, hidden):
        assert_no_marker(path)


def test_window_option_is_checked():
    result = export("x.dcm", "out.png", "--window", "40")
    assert result.returncode == 2 and "C,W" in result.stderr
