"""Render one page of a PDF (letters, scanned pages) into a Picture with pypdfium2.

The result is a raster and nothing else: no text layer, no PDF objects, no document
information travel with it, so a redaction painted on it cannot be undone by selecting the
text underneath. The pixel ceiling applies to the rendered size and is checked from the
page's size before anything is rendered.

PDFium is not thread-safe, so every call into it holds ``PDFIUM_LOCK``; the editor renders
thumbnails on a worker thread while the UI thread may open the chosen page.

PDFium cannot be interrupted, so whatever parses or draws a page (``load_pdf_picture``,
``render_thumbnail``) runs in a child process with a time limit (see pdf_worker): a page
built to be pathologically slow gives ``PageTooComplex`` instead of a hung window. What
only reads the document's structure (page count, page sizes) stays in this process.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging.picture import DEFAULT_MAX_PIXELS, Picture
from medsnap.imaging import pdf_worker
from medsnap.imaging.record_errors import (NoSuchPage, PdfPasswordRequired, WrongPdfPassword,
                                            unopenable)
from medsnap.imaging.source_info import PdfInfo

DEFAULT_DPI = 200
MIN_DPI, MAX_DPI = 36, 1200
PDFIUM_LOCK = threading.RLock()
_SAFE = "The original file was not changed and nothing was sent or saved from it."
_POINTS_PER_INCH = 72.0
#: time_limit default: pdf_worker.PAGE_TIME_LIMIT or THUMBNAIL_TIME_LIMIT as set at the call
STANDARD = "standard"


def _name(source: str | os.PathLike[str] | bytes) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "The PDF"
    return f"The PDF '{Path(source).name}'"


def _the(name: str) -> str:
    return "the" + name[3:]


@contextmanager
def open_pdf(source: str | os.PathLike[str] | bytes, password: str | None = None
             ) -> Iterator[pdfium.PdfDocument]:
    """Open the document under PDFIUM_LOCK; typed errors for passwords and damage."""
    name = _name(source)
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else None
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data if data is not None else str(source),
                                          password=password or None)
        except pdfium.PdfiumError as error:
            raise _open_error(name, error, password) from None
        except OSError as error:
            raise unopenable(name, error) from None
        try:
            # filled-in form fields are part of what the letter shows: draw them too
            document.init_forms()
            yield document
        finally:
            document.close()


def _open_error(name: str, error: pdfium.PdfiumError, password: str | None) -> ImageError:
    if getattr(error, "err_code", None) == pdfium_raw.FPDF_ERR_PASSWORD:
        if password:
            return WrongPdfPassword(f"The password does not open {_the(name)}. "
                                    f"{_SAFE} Check the password (capital letters count) "
                                    "with whoever sent the letter, then try again.")
        return PdfPasswordRequired(f"{name} is protected by a password. {_SAFE} Enter the "
                                   "password to open it.")
    return ImageError(f"{name} is damaged or is not a real PDF, so it cannot be shown. "
                      f"{_SAFE} Ask for a fresh copy, or print it to a new PDF from the "
                      "program that made it.")


def page_count(source: str | os.PathLike[str] | bytes, *, password: str | None = None) -> int:
    with open_pdf(source, password) as document:
        return len(document)


def rendered_size(width_points: float, height_points: float, dpi: float) -> tuple[int, int]:
    """The pixel size PDFium will produce for a page at ``dpi``."""
    scale = dpi / _POINTS_PER_INCH
    return max(1, math.ceil(width_points * scale)), max(1, math.ceil(height_points * scale))


def _page_size(page: pdfium.PdfPage) -> tuple[float, float]:
    width, height = page.get_size()  # already swapped for /Rotate 90 or 270
    return float(width), float(height)


def _check_dpi(dpi: float) -> None:
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ImageError(f"A resolution of {dpi:g} dpi is outside {MIN_DPI}-{MAX_DPI} dpi. "
                         f"Nothing was exported. Choose {DEFAULT_DPI} dpi unless you need "
                         "finer detail.")


def _check_ceiling(name: str, number: int, size: tuple[float, float], dpi: float,
                   limit: int) -> None:
    width, height = rendered_size(*size, dpi)
    if width * height <= limit:
        return
    fitting = max_dpi_within(size, limit)
    advice = (f"Choose {fitting} dpi or less." if fitting >= MIN_DPI else
              "Even the lowest resolution is too large; ask for a smaller copy of the page.")
    raise ImageError(f"Page {number + 1} of {_the(name)} at {dpi:g} dpi would be {width} x "
                     f"{height} pixels, more than the limit of {limit / 1e6:.0f} megapixels. "
                     f"{_SAFE} {advice}")


def _check_page(name: str, number: int, count: int) -> None:
    if not 0 <= number < count:
        pages = "1 page" if count == 1 else f"{count} pages"
        raise NoSuchPage(f"{name} has {pages}; page {number + 1} does not exist. Choose a "
                         f"page from 1 to {count}.")


def _pixels(bitmap: pdfium.PdfBitmap) -> Image.Image:
    # copied out of PDFium's buffer into Pillow's own, so the bitmap can go
    return pdf_worker.rgb_image(bitmap.width, bitmap.height, bitmap.stride, bitmap.buffer)


def _render(page: pdfium.PdfPage, scale: float, keep=_pixels,
            maker=pdfium.PdfBitmap.new_native):
    """``keep(bitmap)`` of the page drawn into a bitmap from ``maker`` (the PDFium child
    draws straight into memory it shares with the caller)."""
    # RGBx on white: PDFium draws 4-byte pixels faster than 3-byte ones, the same colours
    # (an opaque device either way), and the rows are already Pillow's RGB layout
    bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True, draw_annots=True,
                         bitmap_maker=maker)
    try:
        return keep(bitmap)
    finally:
        bitmap.close()


def _sendable(source: str | os.PathLike[str] | bytes) -> str | bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    return os.path.abspath(source)


def _page_named(source, page: int) -> str:
    return f"Page {page + 1} of {_the(_name(source))}"


def load_pdf_picture(source: str | os.PathLike[str] | bytes, *, page: int = 0,
                     dpi: float = DEFAULT_DPI, password: str | None = None,
                     max_pixels: int = DEFAULT_MAX_PIXELS,
                     time_limit: float | str | None = STANDARD) -> Picture:
    """Render page ``page`` (0-based) at ``dpi`` into an RGB Picture, in the PDFium child
    within ``time_limit`` seconds (None: in this process, unbounded). Raises ImageError,
    PageTooComplex when the time runs out."""
    _check_dpi(dpi)
    if time_limit == STANDARD:
        time_limit = pdf_worker.PAGE_TIME_LIMIT
    if time_limit is None:
        image, (count, size, encrypted) = _render_page(source, page, dpi, password,
                                                      max_pixels, _pixels)
    else:
        arguments = dict(source=_sendable(source), page=page, dpi=dpi, password=password,
                         max_pixels=max_pixels)
        image, (count, size, encrypted) = pdf_worker.ask(
            "page", arguments, time_limit, _page_named(source, page))
    image.info.clear()
    return Picture(image=image, page=page, page_count=count, source_format="PDF",
                   pdf=PdfInfo(dpi=float(dpi), width_points=size[0], height_points=size[1],
                               encrypted=encrypted))


def render_page_here(*, source, page: int, dpi: float, password: str | None,
                     max_pixels: int, keep, maker):
    """In the PDFium child: ``keep(bitmap)`` and (page count, size, encrypted)."""
    return _render_page(source, page, dpi, password, max_pixels, keep, maker)


def _render_page(source, page: int, dpi: float, password: str | None, max_pixels: int,
                 keep, maker=pdfium.PdfBitmap.new_native):
    name = _name(source)
    with open_pdf(source, password) as document:
        count = len(document)
        if count == 0:
            raise ImageError(f"{name} has no pages. {_SAFE} Ask for a fresh copy.")
        _check_page(name, page, count)
        try:
            pdf_page = document[page]
        except pdfium.PdfiumError:
            raise _open_error(name, pdfium.PdfiumError("page"), password) from None
        try:
            size = _page_size(pdf_page)
            _check_ceiling(name, page, size, dpi, max_pixels)
            try:
                kept = _render(pdf_page, dpi / _POINTS_PER_INCH, keep, maker)
            except MemoryError:
                raise ImageError(f"Page {page + 1} of {_the(name)} needs more memory than "
                                 f"this computer has free at {dpi:g} dpi. {_SAFE} Choose a "
                                 "lower resolution.") from None
            except pdfium.PdfiumError as error:
                raise ImageError(f"Page {page + 1} of {_the(name)} could not be drawn "
                                 f"({error}). {_SAFE} Ask for a fresh copy.") from None
        finally:
            pdf_page.close()
        encrypted = bool(pdfium_raw.FPDF_GetSecurityHandlerRevision(document) != -1)
    return kept, (count, size, encrypted)


def page_sizes(source: str | os.PathLike[str] | bytes, *,
               password: str | None = None) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, as shown (rotation applied). Read from the
    page tree only: no page's content is parsed, so a pathological page cannot stall it."""
    with open_pdf(source, password) as document:
        sizes = []
        for number in range(len(document)):
            try:
                width, height = document.get_page_size(number)
            except pdfium.PdfiumError:
                raise _open_error(_name(source), pdfium.PdfiumError("page"), password
                                  ) from None
            sizes.append((float(width), float(height)))
        return sizes


def max_dpi_within(size: tuple[float, float], max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """The highest whole dpi at which a page of ``size`` points stays under the ceiling."""
    dpi = math.floor(_POINTS_PER_INCH * math.sqrt(max_pixels / max(size[0] * size[1], 1.0)))
    while dpi > 1 and math.prod(rendered_size(*size, dpi)) > max_pixels:
        dpi -= 1
    return dpi


def render_thumbnail(source: str | os.PathLike[str] | bytes, page: int, *,
                     longest_side: int = 160, password: str | None = None,
                     time_limit: float | str | None = STANDARD) -> Image.Image:
    """One small RGB image of ``page``, its longest side ``longest_side`` pixels, drawn in
    the PDFium child within ``time_limit`` seconds (None: here). Raises PageTooComplex."""
    if time_limit == STANDARD:
        time_limit = pdf_worker.THUMBNAIL_TIME_LIMIT
    if time_limit is None:
        return _thumbnail(source, page, longest_side, password, _pixels)
    arguments = dict(source=_sendable(source), page=page, longest_side=longest_side,
                     password=password)
    image, _ = pdf_worker.ask("thumbnail", arguments, time_limit, _page_named(source, page))
    return image


def render_thumbnail_here(*, source, page: int, longest_side: int, password: str | None,
                          keep, maker):
    """In the PDFium child: ``keep(bitmap)`` of the thumbnail."""
    return _thumbnail(source, page, longest_side, password, keep, maker), None


def _thumbnail(source, page: int, longest_side: int, password: str | None, keep,
               maker=pdfium.PdfBitmap.new_native):
    with open_pdf(source, password) as document:
        _check_page(_name(source), page, len(document))
        pdf_page = document[page]
        try:
            width, height = _page_size(pdf_page)
            return _render(pdf_page, longest_side / max(width, height, 1.0), keep, maker)
        finally:
            pdf_page.close()


def render_thumbnails(source: str | os.PathLike[str] | bytes, *, longest_side: int = 160,
                      password: str | None = None) -> Iterator[tuple[int, Image.Image]]:
    """Yield (page, small RGB image) for each page; PDFium is held for one page at a time,
    so the UI thread can open the chosen page between two thumbnails."""
    for number in range(page_count(source, password=password)):
        yield number, render_thumbnail(source, number, longest_side=longest_side,
                                       password=password)
