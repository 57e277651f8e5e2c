"""Pixels between Pillow and Qt for the painter (``render``), without converting a picture whole.

The output area is copied strip by strip from the Pillow image straight into the QImage's own
buffer (Pillow's RGB is 4 bytes a pixel inside, as is Qt's RGBX8888), painted in place by
``render``, and handed back to Pillow with one copy. A greyscale ("L") picture, as a radiograph
is, becomes RGB strip by strip on the way in, and only where something is painted: an untouched
grey output stays one 8-bit plane.
"""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QImage

from medsnap.document import Document
from medsnap.errors import ExportError

STRIP_ROWS = 64
_RAW = {  # Pillow mode -> (Qt format, Pillow raw mode with the same bytes in memory)
    # RGBX: Pillow pads with 0xFF, as Qt requires (a zero pad breaks Multiply blending).
    "RGB": (QImage.Format.Format_RGBX8888, "RGBX"),
    "RGBA": (QImage.Format.Format_RGBA8888, "RGBA"),
}


def output_mode(document: Document) -> str:
    """The mode painted pixels come out in: "RGBA" for a picture with alpha, else "RGB"."""
    source = document.picture.image if document.picture is not None else None
    return "RGBA" if source is not None and source.mode in ("RGBA", "LA", "PA") else "RGB"


def source_image(document: Document, mode: str) -> Image.Image:
    """The Pillow image to copy from: the picture itself, grey left grey (widened per strip)."""
    if document.picture is None:  # a size-only document (tests, previews): a white page
        return Image.new(mode, document.size, (255, 255, 255, 255)[: len(mode)])
    source = document.picture.image
    if source.mode == mode or (source.mode == "L" and mode == "RGB"):
        return source  # grey becomes RGB strip by strip, where it is painted
    return source.convert(mode)  # safety net only


def qimage_of(source: Image.Image, box: tuple[int, int, int, int]) -> QImage:
    """A QImage holding ``box`` of the Pillow image, copied strip by strip."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    grey = source.mode == "L"
    qt_format, raw = _RAW["RGB" if grey else source.mode]
    image = QImage(width, height, qt_format)
    if image.isNull():
        raise ExportError(f"There is not enough memory to prepare a {width}x{height} image. "
                          "Nothing was written; crop to a smaller area and try again.")
    buffer, stride = image.bits(), image.bytesPerLine()
    for row in range(0, height, STRIP_ROWS):
        rows = min(STRIP_ROWS, height - row)
        strip = source.crop((left, top + row, right, top + row + rows))
        strip = (strip.convert("RGB") if grey else strip).tobytes("raw", raw)
        buffer[row * stride: row * stride + len(strip)] = strip
    return image


def to_pil(image: QImage, mode: str) -> Image.Image:
    # frombytes decodes the raw rows into a new Pillow image: the one copy back
    # (frombuffer would map Qt's memory, which dies with the QImage).
    return Image.frombytes(mode, (image.width(), image.height()), image.constBits(), "raw",
                           _RAW[mode][1], image.bytesPerLine(), 1)
