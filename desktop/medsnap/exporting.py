"""Export a Document: render -> encode_clean (verified) -> write atomically.

The file appears complete under its final name or not at all: the bytes go to a hidden
temporary file in the same folder, are flushed to disk, then renamed over the target.
On any failure the temporary file is removed and the target is left as it was.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from medsnap.document import Document
from medsnap.errors import DocumentError, ExportError
from medsnap.files import replace_atomically
from medsnap.imaging import Picture, encode_clean, format_for_picture, load_picture

if TYPE_CHECKING:
    from PIL import Image

FORMATS = ("png", "jpeg")
_SUFFIX_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


def format_for_path(path: str | os.PathLike) -> str | None:
    """"png"/"jpeg" from the file name's suffix; None (choose automatically) otherwise."""
    return _SUFFIX_FORMATS.get(Path(path).suffix.lower())


def normalise_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    value = fmt.lower()
    value = "jpeg" if value == "jpg" else value
    if value not in FORMATS:
        raise ExportError(f"MedSnap exports PNG or JPEG, not {fmt!r}. Nothing was written; "
                          "choose png or jpeg.")
    return value


def load_for_export(source: str | os.PathLike | bytes, *, page: int = 0,
                    **options) -> Picture:
    """``load_picture``, while this thread starts the painter (Qt) in the meantime.

    Decoding a large JPEG releases the GIL, and importing Qt and creating the offscreen
    QGuiApplication (which must happen on the main thread) takes a fifth of a second;
    doing both at once takes that off every command-line export. ``options`` go to
    ``load_picture`` (PDF: dpi, password; DICOM: frame, window).
    """
    if threading.current_thread() is not threading.main_thread():
        return load_picture(source, page=page, **options)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="medsnap-load") as pool:
        loading = pool.submit(load_picture, source, page=page, **options)
        from medsnap.render import ensure_gui_application

        ensure_gui_application()
        return loading.result()  # re-raises the ImageError of a bad file


def grey_when_uncoloured(document: Document, image: Image.Image) -> Image.Image:
    """A grey picture stays grey (one channel) when all that was painted on it is grey too,
    a redaction or a black or white mark; a coloured arrow keeps it RGB."""
    from PIL import ImageChops

    if image.mode != "RGB" or document.picture is None or document.picture.image.mode != "L":
        return image
    red, green, blue = image.split()
    if ImageChops.difference(red, green).getbbox() or \
            ImageChops.difference(green, blue).getbbox():
        return image
    image.close()
    return red


def encode_for_export(image: Image.Image, fmt: str | None, quality: int | None = None) -> bytes:
    """The one place pixels become the bytes that are sent or saved (clean and verified).

    ``quality`` None takes the configured JPEG quality (policy, else the default): the window
    passes its own resolved value (policy > the user's setting > default) instead.
    """
    if quality is None:
        from medsnap.config.policy_rules import jpeg_quality

        quality = jpeg_quality()
    _check_quality(quality)
    return encode_clean(image, normalise_format(fmt), quality=quality)


def _check_quality(quality: int) -> None:
    if not 1 <= quality <= 95:
        raise ExportError(f"JPEG quality must be between 1 and 95, not {quality}. "
                          "Nothing was written.")


def export_bytes(document: Document, fmt: str | None = None,
                 quality: int | None = None) -> bytes:
    """The clean, verified PNG or JPEG bytes of the rendered document (``quality`` as in
    ``encode_for_export``)."""
    from medsnap.render import render_to_pil  # Qt is loaded only when something is drawn

    if document.picture is None:
        raise DocumentError("There is no picture to export in this document.")
    fmt = normalise_format(fmt)
    if quality is not None:
        _check_quality(quality)  # before painting
    image = grey_when_uncoloured(document, render_to_pil(document))
    try:
        return encode_for_export(image, fmt, quality)
    finally:
        image.close()  # drop the rendered pixels before the caller writes the file


def export_document(document: Document, path: str | os.PathLike, fmt: str | None = None,
                    quality: int | None = None) -> str:
    """Render, encode, verify and write ``path`` atomically; returns the format written.

    ``fmt`` None takes the format from the suffix (.png, .jpg, .jpeg), else chooses PNG for
    drawings and screenshots and JPEG for photographs.
    """
    target = Path(path)
    fmt = normalise_format(fmt) or format_for_path(target)
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"The folder {str(folder)!r} does not exist. Nothing was written; "
                          "choose an existing folder.")
    data = export_bytes(document, fmt, quality)
    write_atomically(target, data)
    return "png" if data.startswith(b"\x89PNG") else "jpeg"


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that it is either complete or absent."""
    try:
        replace_atomically(target, data, prefix=f".{target.name}.")
    except OSError as error:
        raise _write_failed(target, error) from error


def _write_failed(target: Path, error: OSError) -> ExportError:
    reason = error.strerror or str(error)
    return ExportError(f"Could not write {str(target)!r}: {reason}. Nothing was written; "
                       "choose another folder or free some space.")
