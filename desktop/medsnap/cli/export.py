"""Export a clean, metadata-free PNG or JPEG of an image, cropped and redacted.

Coordinates are whole pixels of the picture as it is shown upright (after the camera's
orientation is applied). The output is written completely or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from medsnap.errors import UsageError

_FORMAT_NAMES = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg"}
#: names that promise an image format MedSnap does not write (the bytes would not match)
OTHER_IMAGE_SUFFIXES = {".webp", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".heif", ".avif",
                        ".jxl", ".jp2", ".pdf", ".dcm", ".svg", ".ico"}


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


def _quality(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 95:
        raise argparse.ArgumentTypeError("JPEG quality must be between 1 and 95")
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


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the source image (PNG, JPEG, TIFF, WebP, BMP, GIF, "
                                      "PDF or DICOM)")
    parser.add_argument("-o", "--output", required=True,
                        help="the file to write; .png or .jpg/.jpeg picks the format")
    parser.add_argument("--page", type=_page, default=1,
                        help="page of a multi-page file, counting from 1 (default 1)")
    parser.add_argument("--dpi", type=_dpi, default=200,
                        help="PDF: render the page at this resolution (default 200)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="PDF: read the password from the first line of standard input "
                             "(else MEDSNAP_PDF_PASSWORD, if set)")
    parser.add_argument("--frame", type=_page, metavar="N",
                        help="DICOM: frame of a multi-frame image, counting from 1 "
                             "(default: --page)")
    parser.add_argument("--window", type=_window, metavar="C,W",
                        help="DICOM: window centre and width (default: the file's own)")
    parser.add_argument("--no-overlays", dest="overlays", action="store_false",
                        help="DICOM: leave out the overlay planes (marks and text from the "
                             "radiology system), which are drawn in by default")
    parser.add_argument("--crop", type=box, metavar="X,Y,W,H",
                        help="export only this rectangle")
    parser.add_argument("--redact", type=box, action="append", default=[], metavar="X,Y,W,H",
                        help="black out this rectangle for good (repeat for more)")
    parser.add_argument("--annotations", metavar="DRAFT.json",
                        help="draw the annotations of a saved MedSnap drawing (JSON)")
    parser.add_argument("--format", choices=sorted(_FORMAT_NAMES),
                        help="png or jpeg (default: from the output name, else automatic)")
    parser.add_argument("--quality", type=_quality, default=90,
                        help="JPEG quality 1-95 (default 90)")
    parser.add_argument("--force", action="store_true",
                        help="replace OUTPUT if it exists (never the input itself)")


def _rect_inside(name: str, values: tuple[int, int, int, int], size: tuple[int, int]):
    from medsnap.document import Rect

    x, y, width, height = values
    if x + width > size[0] or y + height > size[1]:
        raise UsageError(
            f"--{name} {x},{y},{width},{height} reaches outside the picture, which is "
            f"{size[0]}x{size[1]} pixels upright. Nothing was written; give a rectangle "
            "inside the picture.")
    return Rect(x, y, width, height)


def check_output_name(output: Path, *, force: bool, source: str | None = None) -> None:
    """Refuse a name that would mislabel the bytes, the source itself, or (unless ``force``)
    a file that exists: nothing is overwritten by surprise."""
    if output.suffix.lower() in OTHER_IMAGE_SUFFIXES:
        raise UsageError(f"MedSnap writes PNG or JPEG; name the file .png or .jpg (not "
                         f"{output.suffix!r}). Nothing was written.")
    if source is not None and output.exists() and os.path.samefile(source, output):
        raise UsageError(f"The output {str(output)!r} is the input file itself. Nothing was "
                         "written and the original is untouched; choose another name.")
    if output.exists() and not force:
        raise UsageError(f"{str(output)!r} already exists. Nothing was written; choose "
                         "another name, or add --force to replace it.")


def _chosen_format(args: argparse.Namespace) -> str | None:
    from medsnap.exporting import format_for_path

    by_name = format_for_path(args.output)
    asked = _FORMAT_NAMES[args.format] if args.format else None
    if asked and by_name and asked != by_name:
        raise UsageError(f"The output name {args.output!r} says {by_name.upper()} but "
                         f"--format {args.format} was given. Nothing was written; make the "
                         "name and the format agree.")
    return asked or by_name


def _draft(path: str, picture):
    from medsnap.document import document_from_json
    from medsnap.errors import DocumentError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DocumentError(f"There is no drawing {path!r}. Nothing was written; check the "
                            "name given to --annotations.") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else \
            "it is not a MedSnap drawing (JSON)"
        raise DocumentError(f"The drawing {path!r} could not be read: {why}. Nothing was "
                            "written; check the file.") from None
    return document_from_json(data, picture)


def _password(args: argparse.Namespace) -> str | None:
    """A protected PDF's password: never on the command line, where others can see it."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n") or None
    return os.environ.get("MEDSNAP_PDF_PASSWORD") or None


def run(args: argparse.Namespace) -> int:
    from medsnap.document import AddAnnotation, Document, Redaction, SetCrop
    from medsnap.exporting import export_document, load_for_export
    from medsnap.imaging.record_errors import PdfPasswordRequired

    output = Path(args.output)
    check_output_name(output, force=args.force, source=args.input)
    fmt = _chosen_format(args)
    if not output.parent.is_dir():
        from medsnap.errors import ExportError

        raise ExportError(f"The folder {str(output.parent)!r} does not exist. Nothing was "
                          "written; choose an existing folder.")
    try:
        picture = load_for_export(args.input, page=args.page - 1, dpi=args.dpi,
                                  password=_password(args),
                                  frame=None if args.frame is None else args.frame - 1,
                                  window=args.window, overlays=args.overlays)
    except PdfPasswordRequired as error:
        raise PdfPasswordRequired(f"{error.message} On the command line, pipe it in with "
                                  "--password-stdin or set MEDSNAP_PDF_PASSWORD.") from None
    for warning in picture.warnings:  # e.g. text burned into a radiograph
        print(f"Caution: {warning}", file=sys.stderr)
    size = (picture.width, picture.height)
    crop = _rect_inside("crop", args.crop, size) if args.crop else None
    redactions = [Redaction(rect=_rect_inside("redact", values, size))
                  for values in args.redact]
    document = _draft(args.annotations, picture) if args.annotations else Document(picture)
    if crop is not None:
        SetCrop(document.crop, crop).apply(document)
    for redaction in redactions:
        AddAnnotation(redaction).apply(document)
    written = export_document(document, output, fmt, args.quality)
    left, top, right, bottom = document.output_box()
    print(f"Wrote {output} ({written.upper()}, {right - left}x{bottom - top}, "
          f"{output.stat().st_size} bytes, no metadata).")
    return 0
