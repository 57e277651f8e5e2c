"""List every metadata item a picture file carries, with where it sits in the file.

Exit status: 0 the file carries pixels only, 1 it carries metadata (each item is listed),
3 it could not be read (damaged or cut short: what it carries before the damage is listed; a
header claiming more pixels than MedSnap opens). Reads PNG, JPEG, WebP, TIFF, GIF and BMP,
whatever the file's name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from medsnap.errors import ImageError
from medsnap.imaging import MetadataItem, find_metadata
from medsnap.imaging.metadata import container_format
from medsnap.imaging.metadata.items import DAMAGED

MAX_INSPECT_BYTES = 2 * 1024**3  # larger files are not pictures MedSnap would open anyway


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the picture file to inspect")
    parser.add_argument("--json", action="store_true",
                        help="print the items as JSON (location, kind, detail) instead of text")


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_INSPECT_BYTES:
            raise ImageError(f"'{path.name}' is larger than 2 GB; it was not inspected.")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"'{path}' does not exist. Check the name and folder.") from None
    except IsADirectoryError:
        raise ImageError(f"'{path}' is a folder; name a picture file inside it.") from None
    except OSError as error:
        raise ImageError(f"'{path}' could not be read ({error.strerror}). Check that you "
                         "may read it.") from None


def run(args: argparse.Namespace) -> int:
    path = Path(args.file)
    data = _read(path)
    if not data:
        raise ImageError(f"'{path.name}' is empty (0 bytes); there is nothing to inspect.")
    if container_format(data[:16]) is None:
        raise ImageError(f"'{path.name}' is not a PNG, JPEG, WebP, TIFF, GIF or BMP picture "
                         "(whatever its name says), so its metadata cannot be listed.")
    _check_claimed_size(path, data)
    items = find_metadata(data)
    damage = [item for item in items if item.kind == DAMAGED]
    items = [item for item in items if item.kind != DAMAGED]
    if items or not damage:
        try:
            _print(path, items, as_json=args.json)
        except BrokenPipeError:  # piped into e.g. `head`: the reader has gone, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if damage:
        raise _damaged(path, damage[0], listed=bool(items))
    return 1 if items else 0


def _damaged(path: Path, damage: MetadataItem, *, listed: bool) -> ImageError:
    before = (" The metadata found before the damage is listed above." if listed else "")
    return ImageError(f"'{path.name}' is damaged or cut short ({damage.location}: "
                      f"{damage.detail}), so it could not be read to the end and what lies "
                      f"beyond cannot be checked.{before} The file was not changed. Ask for "
                      "a fresh copy, or re-save it from the program that made it.")


def _check_claimed_size(path: Path, data: bytes) -> None:
    """A header claiming more pixels than MedSnap opens is refused as export refuses it,
    before its image data is inflated (a decompression bomb costs time even to scan)."""
    import io
    import warnings

    from PIL import Image

    from medsnap.config.policy_rules import max_pixels

    limit = max_pixels()
    guard = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # only the header is read: the claim is what is wanted
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # notes on damaged tags: the scan reports damage
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
    except Exception:  # a header Pillow cannot read: the scan below says where
        return
    finally:
        Image.MAX_IMAGE_PIXELS = guard
    if width * height > limit:
        raise ImageError(f"'{path.name}' claims to be {width} x {height} pixels "
                         f"({_megapixels(width * height)}), "
                         f"more than the limit of {_megapixels(limit)} MedSnap opens; it may "
                         "be damaged or built to exhaust memory. It was not inspected and "
                         "was not changed. Ask for a smaller copy.")


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.0f} megapixels" if pixels >= 10_000_000 else \
        f"{pixels / 1e6:.1f} megapixels"


def _print(path: Path, items: list[MetadataItem], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"location": i.location, "kind": i.kind, "detail": i.detail}
                          for i in items], indent=2))
    elif items:
        print(f"{path.name}: {len(items)} metadata item{'s' if len(items) != 1 else ''}")
        for item in items:
            print(f"  {item.location}\n    {item.kind}: {item.detail}")
    else:
        print(f"{path.name}: no metadata; the file carries pixel data only.")
    sys.stdout.flush()
