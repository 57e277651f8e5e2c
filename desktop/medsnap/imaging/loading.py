"""Load a source file (PNG, JPEG, TIFF, WebP, BMP, GIF; PDF and DICOM through pdf.py and
dicom.py) into an upright 8-bit Picture.

The format is sniffed from the content, never the file name. The pixel-count ceiling is
checked from the header before any pixel is decoded, and Pillow's own decompression-bomb
warning is promoted to an error. Truncated files are refused (LOAD_TRUNCATED_IMAGES stays
off). Nothing but pixels leaves this module.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path

from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging.metadata import container_format
from medsnap.imaging.picture import DEFAULT_MAX_PIXELS, Picture
from medsnap.imaging.record_errors import NoSuchPage, unopenable
from medsnap.imaging.record_sniff import looks_like_dicom, looks_like_pdf, may_be_bare_dataset
from medsnap.imaging.pixels import exif_orientation, make_upright, plain_image, to_rgb_or_rgba

# Pillow's own bomb guard matches ours by default (Pillow's is ~89 MP out of the box).
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < DEFAULT_MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

# Pillow format ids we accept -> the name we report. MPO is a camera JPEG with an MPF index.
_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "TIFF": "TIFF", "WEBP": "WEBP",
            "BMP": "BMP", "GIF": "GIF"}

_OPENERS = ["PNG", "JPEG", "TIFF", "WEBP", "BMP", "GIF"]  # JPEG's opener also yields MPO

_HEAD = 256  # enough to recognise every signature below (DICOM's is at offset 128)
_SAFE = "The original file was not changed and nothing was sent or saved from it."
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\xd0\xcf\x11\xe0", "an old-style office document"),
    (b"DICM", "a DICOM file"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
)

_DECODE_BLOCK = 8 << 20  # bytes of compressed data per decoder call


class _Source:
    """The file name for messages, and a way to open it."""

    def __init__(self, source: str | os.PathLike[str] | bytes):
        if isinstance(source, (bytes, bytearray, memoryview)):
            self.name = "The image"
            self._data: bytes | None = bytes(source)
            self._path: Path | None = None
        else:
            self._path = Path(source)
            self.name = f"The file '{self._path.name}'"
            self._data = None

    def head(self) -> bytes:
        """First bytes of the content; raises ImageError if missing or empty."""
        if self._data is not None:
            head = self._data[:_HEAD]
        else:
            try:
                with open(self._path, "rb") as handle:  # type: ignore[arg-type]
                    head = handle.read(_HEAD)
            except OSError as error:
                raise unopenable(self.name, error) from None
        if not head:
            raise ImageError(f"{self.name} is empty (0 bytes): it may not have finished "
                             f"copying or downloading. {_SAFE} Fetch the image again.")
        return head

    def open(self, head: bytes) -> Image.Image:
        stream = io.BytesIO(self._data) if self._data is not None else self._path
        # Ask Pillow for the sniffed format alone: with the whole list it imports every one
        # of its plugins first (~50 ms), where one is enough.
        sniffed = container_format(head)
        formats = [sniffed] if sniffed in _OPENERS else _OPENERS
        return Image.open(stream, formats=formats)  # type: ignore[arg-type]


def _not_an_image(name: str, head: bytes) -> ImageError:
    looks_like = container_format(head)
    if looks_like is not None:
        return ImageError(f"{name} starts like a {looks_like} picture but its header is "
                          f"damaged, so it cannot be decoded. {_SAFE} Ask for a fresh copy "
                          "of the image, or re-save it from the program that made it.")
    for signature, what in _SIGNATURES:
        if head.startswith(signature) or (signature == b"DICM" and head[128:132] == b"DICM"):
            return ImageError(f"{name} is {what}, which MedSnap cannot open as a picture. "
                              f"{_SAFE} Save or export it as PNG or JPEG, then open that.")
    return ImageError(f"{name} is not a picture MedSnap can read (PNG, JPEG, TIFF, WebP, BMP, "
                      f"GIF, a PDF letter or a DICOM image), whatever its name says. {_SAFE} Open it in the program that "
                      "made it and save it as PNG or JPEG.")


def _too_large(name: str, width: int, height: int, limit: int) -> ImageError:
    return _too_many_pixels(name, f"{width} x {height} (", width * height, limit, ")")


def _bomb(name: str, error: Exception, limit: int) -> ImageError:
    """Pillow's own guard fired while reading the header; its message has the pixel count."""
    claimed = re.search(r"\((\d+) pixels\)", str(error))
    return _too_many_pixels(name, "", int(claimed.group(1)) if claimed else 0, limit, "")


def _amount(pixels: int) -> str:
    if pixels >= 10_000_000:
        return f"{pixels / 1e6:.0f} megapixels"
    return f"{pixels / 1e6:.1f} megapixels" if pixels >= 100_000 else f"{pixels} pixels"


def _too_many_pixels(name: str, before: str, pixels: int, limit: int, after: str) -> ImageError:
    set_by = getattr(limit, "set_by", None)
    if set_by:  # a rule of the hospital's, not a suspicious file: say whose and what to do
        return ImageError(f"{name} is {before}{_amount(pixels)}{after}, more than the "
                          f"{_amount(limit)} that {set_by} allows MedSnap to open. {_SAFE} "
                          "Crop or downsize the photo first (for example take a screenshot "
                          "of the part you need, or save a smaller copy from the camera or "
                          "photo app), or ask your IT department to raise the limit "
                          "(max_megapixels).")
    # an ordinary phone photo taken in a 108-megapixel mode lands here too: say that first
    return ImageError(f"{name} is {before}{_amount(pixels)}{after}, more than the "
                      f"{_amount(limit)} MedSnap opens: a picture that big could exhaust this "
                      "computer's memory (a damaged file can also claim such a size). "
                      f"{_SAFE} If it is a photo, take it at the camera's normal resolution or "
                      "save a smaller copy (for example a screenshot of the part you need); IT "
                      "can raise the limit (max_megapixels).")


def _check_size(name: str, image: Image.Image, limit: int) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageError(f"{name} says it has no pixels ({width} x {height}); it is damaged. "
                         f"{_SAFE} Ask for a fresh copy.")
    if width * height > limit:
        raise _too_large(name, width, height, limit)


def _out_of_memory(name: str) -> ImageError:
    return ImageError(f"{name} needs more memory than this computer has free. {_SAFE} Close "
                      "other programs, or ask for a smaller copy of the image.")


def _damaged(name: str, error: Exception) -> ImageError:
    detail = str(error).strip() or type(error).__name__
    if "truncated" in detail.lower() or isinstance(error, EOFError):
        # (no details: the decoder's "N bytes not processed" is not how much is missing)
        what = "is incomplete (the file ends too early, as when a copy or download is cut short)"
    else:
        what = f"is damaged and could not be decoded (details: {detail})"
    return ImageError(f"{name} {what}. {_SAFE} Ask for a fresh copy "
                      "of the image, or re-save it from the program that made it.")


def load_picture(source: str | os.PathLike[str] | bytes, *, page: int = 0,
                 max_pixels: int = DEFAULT_MAX_PIXELS, dpi: float = 200,
                 password: str | None = None, frame: int | None = None,
                 window: tuple[float, float] | None = None, overlays: bool = True) -> Picture:
    """Decode one page (TIFF, PDF) or frame (GIF, WebP, DICOM) of ``source`` into an upright
    Picture.

    PDF content is rendered at ``dpi`` (``password`` opens a protected one); DICOM content
    takes ``frame`` (default: ``page``) through ``window`` (centre, width; default the
    file's own), with its overlay planes drawn unless ``overlays`` is False. Both are recognised by content, like every other format.

    ``max_pixels`` lowers the ceiling; Pillow's own guard (``Image.MAX_IMAGE_PIXELS``, raised
    to DEFAULT_MAX_PIXELS at import) still applies above it. Raises ImageError.

    Pillow's DecompressionBombWarning is turned into an error with ``catch_warnings``, which
    is not thread-safe; if another thread resets the filter meanwhile, our own size check
    right after the header is read still refuses the picture.
    """
    origin = _Source(source)
    head = origin.head()
    limit = max_pixels if Image.MAX_IMAGE_PIXELS is None else min(max_pixels,
                                                                  Image.MAX_IMAGE_PIXELS)
    record = _load_record(source, head, page=page, limit=limit, dpi=dpi, password=password,
                          frame=page if frame is None else frame, window=window,
                          overlays=overlays)
    if record is not None:
        return record
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on damaged tags: noise
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = origin.open(head)
        except Image.UnidentifiedImageError:
            raise _not_an_image(origin.name, head) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise _bomb(origin.name, error, limit) from None
        except ImageError:
            raise
        except MemoryError:
            raise _out_of_memory(origin.name) from None
        except Exception as error:  # Pillow raises many types for bad headers
            raise _damaged(origin.name, error) from None
        with opened:
            return _decode(opened, origin.name, page, limit)


def _load_record(source, head: bytes, *, page: int, limit: int, dpi: float,
                 password: str | None, frame: int, window,
                 overlays: bool = True) -> Picture | None:
    """PDF and DICOM content go to their own loaders (imported only when needed)."""
    if looks_like_pdf(head):
        from medsnap.imaging.pdf import load_pdf_picture
        return load_pdf_picture(source, page=page, dpi=dpi, password=password,
                                max_pixels=limit)
    if looks_like_dicom(head) or may_be_bare_dataset(head):
        from medsnap.imaging.dicom import load_dicom_picture
        try:
            return load_dicom_picture(source, frame=frame, window=window,
                                      bare=not looks_like_dicom(head), max_pixels=limit,
                                      overlays=overlays)
        except ImageError:
            if looks_like_dicom(head):
                raise
        # not a readable bare dataset after all: fall through to the picture formats
    return None


def _decode(opened: Image.Image, name: str, page: int, limit: int) -> Picture:
    source_format = _FORMATS.get(opened.format or "", opened.format or "unknown")
    _check_size(name, opened, limit)
    try:
        # A camera MPO's further images are previews of the same shot, not pages.
        page_count = 1 if opened.format == "MPO" else int(getattr(opened, "n_frames", 1))
    except Exception as error:
        raise _damaged(name, error) from None
    if not 0 <= page < page_count:
        pages = "1 page" if page_count == 1 else f"{page_count} pages"
        raise NoSuchPage(f"{name} has {pages}; page {page + 1} does not exist. Choose a "
                         f"page from 1 to {page_count}.")
    try:
        if page:
            opened.seek(page)
            _check_size(name, opened, limit)  # pages may differ in size
        # Feed the decoder in large reads: it releases the GIL only inside each call, so
        # Pillow's 64 KiB default means hundreds of GIL hand-overs that stall it while
        # another thread (starting Qt, painting the draft) holds the GIL.
        opened.decodermaxblock = max(opened.decodermaxblock, _DECODE_BLOCK)
        opened.load()
        orientation = exif_orientation(opened)
        icc = opened.info.get("icc_profile")
        pixels = to_rgb_or_rgba(opened, icc if isinstance(icc, bytes) else None)
        upright = make_upright(pixels, orientation)
        if upright is opened:  # nothing converted: detach the pixels from the file object
            upright = plain_image(opened)
    except ImageError:
        raise
    except MemoryError:
        raise _out_of_memory(name) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_large(name, *opened.size, limit) from None
    except Exception as error:
        raise _damaged(name, error) from None
    upright.info.clear()  # belt and braces: nothing of the container travels with the pixels
    return Picture(image=upright, page=page, page_count=page_count,
                   source_format=source_format)
