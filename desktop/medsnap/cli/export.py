"""Export a clean, metadata-free PNG or JPEG of an image, cropped and redacted.

Coordinates are whole pixels of the picture as it is shown upright (after the camera's
orientation is applied). The output is written completely or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from medsnap.cli.record_options import add_record_options, box, open_record
from medsnap.errors import UsageError

_FORMAT_NAMES = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg"}
#: the only names MedSnap writes under: the name must say what the bytes are (README)
IMAGE_SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


def _quality(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 95:
        raise argparse.ArgumentTypeError("JPEG quality must be between 1 and 95")
    return value


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="the source image (PNG, JPEG, TIFF, WebP, BMP, GIF, "
                                      "PDF or DICOM)")
    parser.add_argument("-o", "--output", required=True,
                        help="the file to write, named .png or .jpg/.jpeg (that picks the "
                             "format; any other name is refused)")
    add_record_options(parser)
    parser.add_argument("--crop", type=box, metavar="X,Y,W,H",
                        help="export only this rectangle")
    parser.add_argument("--redact", type=box, action="append", default=[], metavar="X,Y,W,H",
                        help="black out this rectangle for good (repeat for more)")
    parser.add_argument("--annotations", metavar="DRAFT.json",
                        help="draw the annotations of a saved MedSnap drawing (JSON)")
    parser.add_argument("--format", choices=sorted(_FORMAT_NAMES),
                        help="png or jpeg (default: from the output name, else automatic)")
    parser.add_argument("--quality", type=_quality, default=None,
                        help="JPEG quality 1-95 (default: jpeg_quality of the settings, 90 "
                             "unless IT set it; refused if IT fixed another value)")
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


def crop_and_redact(document, crop: tuple[int, int, int, int] | None,
                    redact: list[tuple[int, int, int, int]]) -> None:
    """Apply --crop and every --redact to ``document``; all are in the whole picture's
    coordinates, so a redaction wholly outside the crop (given relative to the crop, say)
    would black out nothing: refused, not ignored."""
    from medsnap.document import AddAnnotation, Redaction, SetCrop

    picture = document.picture
    size = (picture.width, picture.height)
    rects = [_rect_inside("redact", values, size) for values in redact]
    if crop is not None:
        area = _rect_inside("crop", crop, size)
        for values, rect in zip(redact, rects):
            if not rect.intersects(area):
                x, y, width, height = values
                raise UsageError(
                    f"--redact {x},{y},{width},{height} lies wholly outside --crop "
                    f"{','.join(map(str, crop))}, so it would black out nothing. Both are in "
                    "the whole picture's pixels (not the crop's). Nothing was written or sent; "
                    "give the rectangle to black out in the whole picture's pixels.")
        SetCrop(document.crop, area).apply(document)
    for rect in rects:
        AddAnnotation(Redaction(rect=rect)).apply(document)


def check_output_name(output: Path, *, force: bool, source: str | None = None) -> None:
    """Refuse the source itself, or (unless ``force``) a file that exists: nothing is
    overwritten by surprise. The name's suffix is checked by ``check_image_suffix``."""
    if source is not None and output.exists() and os.path.samefile(source, output):
        raise UsageError(f"The output {str(output)!r} is the input file itself. Nothing was "
                         "written and the original is untouched; choose another name.")
    if output.exists() and not force:
        raise UsageError(f"{str(output)!r} already exists. Nothing was written; choose "
                         "another name, or add --force to replace it.")


def check_image_suffix(output: Path, fmt: str | None = None, *, saved: str = "written"
                       ) -> None:
    """Refuse a name that does not say PNG or JPEG (or says the other one than ``fmt``),
    naming the file that would be accepted: bytes never go out under a misleading name."""
    named = IMAGE_SUFFIXES.get(output.suffix.lower())
    if named is not None and (fmt is None or named == fmt):
        return
    base = output.name[:-len(output.suffix)] if named or _looks_like_suffix(output) \
        else output.name
    if fmt is None:
        wanted = f"{base + '.png'!r} (or {base + '.jpg'!r} for a JPEG)"
    else:
        wanted = repr(base + (".png" if fmt == "png" else ".jpg"))
    what = "PNG or JPEG" if fmt is None else f"a {fmt.upper()}"
    raise UsageError(f"MedSnap saves {what} only under a name that says so; name the file "
                     f"{wanted}, not {output.name!r}. Nothing was {saved}.")


def _looks_like_suffix(output: Path) -> bool:
    """'recv.txt' has a suffix to replace; 'Dr.Smith' keeps its dot ('Dr.Smith.png')."""
    return bool(output.suffix) and output.suffix[1:].isalnum() and len(output.suffix) <= 6


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


def run(args: argparse.Namespace) -> int:
    from medsnap.document import Document
    from medsnap.exporting import export_document

    from medsnap.config import load_config
    from medsnap.config.policy_rules import jpeg_quality, require_save_copy_allowed

    config = load_config()
    require_save_copy_allowed(config)  # before anything is read or written
    quality = jpeg_quality(config, args.quality)
    output = Path(args.output)
    check_output_name(output, force=args.force, source=args.input)
    fmt = _chosen_format(args)
    check_image_suffix(output, fmt)
    if not output.parent.is_dir():
        from medsnap.errors import ExportError

        raise ExportError(f"The folder {str(output.parent)!r} does not exist. Nothing was "
                          "written; choose an existing folder.")
    picture = open_record(args, args.input, painting=True, page_required=False, config=config)
    document = _draft(args.annotations, picture) if args.annotations else Document(picture)
    crop_and_redact(document, args.crop, args.redact)
    written = export_document(document, output, fmt, quality)
    left, top, right, bottom = document.output_box()
    print(f"Wrote {output} ({written.upper()}, {right - left}x{bottom - top}, "
          f"{output.stat().st_size} bytes, no metadata).")
    return 0
