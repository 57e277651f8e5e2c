"""Where pictures come from besides File > Open: dropped files, the clipboard, recent files.

Everything ends up as a path or as PNG bytes handed to the same loader, so every source
goes through the one validating gate (``imaging.load_picture``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt's image and buffer classes load when a picture is pasted or dropped
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QImage

#: The first (default) filter shows every file: PACS exports are often DICOM files with no
#: extension (IM0001), which a filter by extension hides; the loader tells a picture, PDF or
#: DICOM by its content and refuses anything else in plain words.
OPEN_FILTERS = ";;".join((
    "Record images, including DICOM files with no extension (*)",
    "Pictures and letters by extension (*.png *.jpg *.jpeg *.tif *.tiff *.webp *.bmp *.gif "
    "*.pdf *.dcm)",
    "PNG (*.png)", "JPEG (*.jpg *.jpeg)", "TIFF (*.tif *.tiff)", "WebP (*.webp)",
    "BMP (*.bmp)", "GIF (*.gif)", "PDF letters (*.pdf)", "DICOM (*.dcm)", "All files (*)",
))
SAVE_FILTERS = "PNG image (*.png);;JPEG image (*.jpg *.jpeg)"


def dropped_path(mime: QMimeData) -> str | None:
    """The first local file among dropped URLs, or None."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    return None


def mime_image_png(mime: QMimeData) -> bytes | None:
    """Image data on the clipboard (or dropped from a browser), as PNG bytes."""
    from PySide6.QtGui import QImage

    if not mime.hasImage():
        return None
    image = mime.imageData()
    if not isinstance(image, QImage) or image.isNull():
        return None
    return qimage_to_png(image)


def qimage_to_png(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG", 1)  # fast compression: it is decoded again immediately
    buffer.close()
    return bytes(data.data())


def is_pdf(path: str) -> bool:
    """True if the file is a PDF by its content (its name does not matter)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False  # the loader reports unreadable files in plain words


def display_name(path: str) -> str:
    return Path(path).name
