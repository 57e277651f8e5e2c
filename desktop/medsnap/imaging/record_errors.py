"""Typed errors for records (protected PDFs, pages too complex) and the words for a file that
cannot be opened; importable without loading PDFium or pydicom."""

from __future__ import annotations

from medsnap.errors import ImageError


class PdfPasswordRequired(ImageError):
    """The PDF is protected by a password and none was given."""


class WrongPdfPassword(ImageError):
    """A password was given but it does not open the PDF."""


class NoSuchPage(ImageError):
    """A page or frame number beyond the file's own: a wrong choice, not an unreadable file
    (the command line's usage error, exit 2)."""

    exit_code = 2


class PageTooComplex(ImageError):
    """PDFium was still drawing a page when its time ran out, so it was stopped."""


def unopenable(name: str, error: OSError) -> ImageError:
    """What to tell a clinician when the file itself cannot be opened (nothing was read)."""
    if isinstance(error, FileNotFoundError):
        return ImageError(f"{name} does not exist. Check the name and folder, then try again.")
    if isinstance(error, IsADirectoryError):
        return ImageError(f"{name} is a folder, not an image. Choose an image file inside it.")
    return ImageError(f"{name} could not be opened ({error.strerror}). Check that you may read "
                      "it, then try again.")
