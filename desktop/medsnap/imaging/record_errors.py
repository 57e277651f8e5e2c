"""Typed errors for protected PDFs, importable without loading PDFium."""

from __future__ import annotations

from medsnap.errors import ImageError


class PdfPasswordRequired(ImageError):
    """The PDF is protected by a password and none was given."""


class WrongPdfPassword(ImageError):
    """A password was given but it does not open the PDF."""


class PageTooComplex(ImageError):
    """PDFium was still drawing a page when its time ran out, so it was stopped."""
