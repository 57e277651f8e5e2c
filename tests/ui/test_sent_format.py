"""The format a picture leaves in is the same from the window and from `medsnap send`: PNG
unless it came as a JPEG photograph, and a grey radiograph stays one grey channel unless
something coloured is drawn on it (it left the window as a 3-component lossy JPEG)."""

from __future__ import annotations

import io
import os

import numpy as np
from PIL import Image
from ui_support import drag, open_and_wait

from medsnap.document import Document
from medsnap.exporting import export_bytes
from medsnap.imaging import load_picture
from medsnap.ui.sent_preview import sent_bytes
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, ramp


def _radiograph(tmp_path):
    """A noisy grey CR radiograph, as a PACS exports it (choose_format calls it a photo)."""
    rng = np.random.default_rng(7)
    pixels = (ramp(300, 400, 0, 3000) + rng.integers(0, 1000, (300, 400))).astype(np.uint16)
    ds = dicom_dataset(pixels, modality="CR", BitsStored=12, WindowCenter=2000,
                       WindowWidth=4000)
    path = tmp_path / "IM0002"
    path.write_bytes(dicom_bytes(ds))
    return path


def _decoded(data: bytes) -> tuple[str, str]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.mode


def test_a_radiograph_leaves_as_grey_png_from_window_and_command_line(qtbot, make_window,
                                                                      tmp_path):
    source = _radiograph(tmp_path)
    window = make_window(1000, 700)
    open_and_wait(qtbot, window, source)
    drag(window, "crop", (10, 10), (380, 280))
    drag(window, "redaction", (30, 30), (120, 90))
    assert _decoded(sent_bytes(window.document)) == ("PNG", "L")

    # medsnap send's painted path (crop + redaction) gives the very same bytes
    picture = load_picture(str(source))
    assert picture.image.mode == "L"
    document = Document(picture, crop=window.document.crop,
                        annotations=list(window.document.annotations))
    assert export_bytes(document, "png") == sent_bytes(window.document)

    drag(window, "arrow", (200, 200), (300, 250))  # colour drawn: RGB, still lossless
    assert _decoded(sent_bytes(window.document)) == ("PNG", "RGB")


def test_a_jpeg_photograph_still_leaves_as_jpeg(qtbot, make_window, tmp_path):
    photo = Image.frombytes("RGB", (320, 240), os.urandom(320 * 240 * 3))
    path = tmp_path / "wound.jpg"
    photo.save(path, quality=90)
    window = make_window(1000, 700)
    open_and_wait(qtbot, window, path)
    assert _decoded(sent_bytes(window.document))[0] == "JPEG"
