"""What 'export' and 'send' share to turn a record into a picture: one declaration of the
options (PDF page, resolution and password; DICOM frame, window and overlays) and one way of
opening the record with them.

Cheap to import (argparse, os, sys): 'medsnap send --help' imports it before anything else.
"""

from __future__ import annotations

import argparse
import os
import sys

PDF_PASSWORD_ENV = "MEDSNAP_PDF_PASSWORD"
#: each record option's default, also for a caller whose namespace lacks the option
DEFAULTS = {"page": None, "dpi": 200.0, "password_stdin": False, "frame": None,
            "window": None, "overlays": True}


def box(text: str) -> tuple[int, int, int, int]:
    """'X,Y,W,H' -> four whole numbers; width and height at least 1."""
    parts = text.split(",")
    try:
        x, y, width, height = (int(part.strip()) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not X,Y,W,H: four whole numbers of pixels separated by commas, "
            "e.g. 100,80,640,480") from None
    if x < 0 or y < 0 or width < 1 or height < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: X and Y must be 0 or more, width and height at least 1")
    return (x, y, width, height)


def _page(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a page number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("pages are counted from 1")
    return value


def _dpi(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a resolution in dpi") from None
    if not 36 <= value <= 1200:
        raise argparse.ArgumentTypeError("the resolution must be between 36 and 1200 dpi")
    return value


def _window(text: str) -> tuple[float, float]:
    try:
        center, width = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not C,W: the window centre and width, e.g. 40,400") from None
    if width <= 0:
        raise argparse.ArgumentTypeError("the window width must be more than 0")
    return (center, width)


def add_record_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose which pixels of a PDF or DICOM record are used."""
    parser.add_argument("--page", type=_page, default=DEFAULTS["page"],
                        help="page of a multi-page file, counting from 1 (default 1; "
                             "'send' needs it for a PDF of more than one page)")
    parser.add_argument("--dpi", type=_dpi, default=DEFAULTS["dpi"],
                        help="PDF: render the page at this resolution (default 200)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="PDF: read the password from the first line of standard input "
                             f"(else {PDF_PASSWORD_ENV}, if set, else a prompt on a terminal)")
    parser.add_argument("--frame", type=_page, metavar="N",
                        help="DICOM: frame of a multi-frame image, counting from 1 "
                             "(default: --page)")
    parser.add_argument("--window", type=_window, metavar="C,W",
                        help="DICOM: window centre and width (default: the file's own)")
    parser.add_argument("--no-overlays", dest="overlays", action="store_false",
                        help="DICOM: leave out the overlay planes (marks and text from the "
                             "radiology system), which are drawn in by default")


def read_pdf_password(args: argparse.Namespace) -> str | None:
    """A protected PDF's password given up front: never on the command line, where others
    can see it. Read once (the answer is kept on ``args``), so that a command reading its
    passphrase from standard input too knows which line is which: the password comes first."""
    if not hasattr(args, "_pdf_password"):
        if _option(args, "password_stdin"):
            args._pdf_password = sys.stdin.readline().rstrip("\r\n") or None
        else:
            args._pdf_password = os.environ.get(PDF_PASSWORD_ENV) or None
    return args._pdf_password


def open_record(args: argparse.Namespace, source: str, *, painting: bool,
                page_required: bool = True, config=None):
    """The Picture ``args`` choose from ``source``, its cautions printed to standard error.

    ``painting``: Qt will paint on it (redactions, annotations), so the painter starts
    while the file is decoded. A protected PDF with no password given asks for one on a
    terminal. The largest picture opened is the configured max_megapixels (``config``, else
    the settings in force). With ``page_required`` a PDF of several pages with no --page is refused: sending
    the wrong page of a letter shows another page's details, perhaps another patient's
    ('export' writes page 1 by default, as documented; the clinician sees the file written).
    """
    from medsnap.errors import UsageError
    from medsnap.imaging.identifying import is_scanned_document
    from medsnap.imaging.record_errors import PdfPasswordRequired

    from medsnap.config.policy_rules import max_pixels

    password = read_pdf_password(args)
    limit = max_pixels(config)
    try:
        picture = _load(args, source, password, painting, limit)
    except PdfPasswordRequired as error:
        if password is not None or not sys.stdin.isatty():
            raise PdfPasswordRequired(f"{error.message} On the command line, type it at the "
                                      "prompt (on a terminal), pipe it in with "
                                      f"--password-stdin or set {PDF_PASSWORD_ENV}.") from None
        import getpass

        password = getpass.getpass(f"Password to open {os.path.basename(source)}: ")
        picture = _load(args, source, password or None, painting, limit)
    if page_required and _option(args, "page") is None and picture.page_count > 1 and (
            picture.source_format == "PDF" or is_scanned_document(picture)):
        picture.image.close()
        count = picture.page_count
        raise UsageError(f"{os.path.basename(source)} has {count} pages; choose one with "
                         f"--page (1 to {count}). Nothing was sent or written: the wrong "
                         "page could show another page's details, even another patient's.")
    for warning in picture.warnings:  # e.g. text burned into a radiograph or ultrasound
        print(f"Caution: {warning}", file=sys.stderr)
    return picture


def _load(args: argparse.Namespace, source: str, password: str | None, painting: bool,
          max_pixels: int):
    if painting:
        from medsnap.exporting import load_for_export as load
    else:
        from medsnap.imaging import load_picture as load
    frame = _option(args, "frame")
    return load(source, page=(_option(args, "page") or 1) - 1, dpi=_option(args, "dpi"),
                password=password, frame=None if frame is None else frame - 1,
                window=_option(args, "window"), overlays=_option(args, "overlays"),
                max_pixels=max_pixels)


def _option(args: argparse.Namespace, name: str):
    return getattr(args, name, DEFAULTS[name])
