"""Getting pixels in: the reduced draft decode shown first, and the full load.

Both functions run in a worker thread (see jobs.py): they use Pillow and QImage only,
never a widget. The full load goes through ``imaging.load_picture``, the one gate every
source passes (format sniffing, size limits, orientation, colour).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from medsnap.imaging import Picture, load_picture
from medsnap.ui.pyramid import Pyramid

#: decode at most this fraction of each side for the draft (JPEG's DCT scaling: 1/8)
DRAFT_FRACTION = 8
#: below this many pixels a draft is not worth it: the full load is quick
DRAFT_MIN_PIXELS = 4_000_000
_ORIENTATION_TAG = 0x0112  # EXIF orientation; 5-8 swap width and height


@dataclass
class Draft:
    pyramid: Pyramid
    source_name: str


@dataclass
class Loaded:
    picture: Picture
    pyramid: Pyramid
    source_name: str
    #: the file or bytes it came from, kept so a DICOM frame can be windowed again
    source: str | bytes | None = None
    max_pixels: int | None = None


def decode_draft(source: str | bytes, source_name: str) -> Draft | None:
    """A reduced, upright decode of a big JPEG, or None (not a JPEG, small, unreadable:
    the full load then decides and reports any problem)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            stream = io.BytesIO(source) if isinstance(source, bytes) else source
            with Image.open(stream, formats=["JPEG"]) as image:
                full_width, full_height = image.size
                turned = _orientation(image) in (5, 6, 7, 8)
                if full_width * full_height < DRAFT_MIN_PIXELS:
                    return None
                image.draft("RGB", (full_width // DRAFT_FRACTION, full_height // DRAFT_FRACTION))
                image.load()
                upright = ImageOps.exif_transpose(image) if turned or _orientation(image) != 1 \
                    else image
                if upright.mode != "RGB":
                    upright = upright.convert("RGB")
    except Exception:  # noqa: BLE001 - the full load reports errors in plain words
        return None
    size = (full_height, full_width) if turned else (full_width, full_height)
    scale = upright.width / size[0]
    return Draft(Pyramid.build(upright, scale=scale, full_size=size), source_name)


def _orientation(image: Image.Image) -> int:
    value = image.getexif().get(_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) else 1


def load_full(source: str | bytes, source_name: str, **options) -> Loaded:
    """The whole picture through ``imaging.load_picture`` (options: page, dpi, password)."""
    picture = load_picture(source, **options)
    kept = source if picture.dicom is not None else None  # only DICOM needs it again
    return Loaded(picture, Pyramid.build(picture.image), source_name, kept,
                  options.get("max_pixels"))
