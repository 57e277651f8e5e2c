"""Independent metadata scanner and verifier (own parsers; Pillow is not used here).

``find_metadata`` lists everything a PNG, JPEG, WebP, TIFF, GIF or BMP file carries beyond
its pixels; ``verify_clean`` accepts only a PNG or JPEG for which that list is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from medsnap.errors import ImageError, SanitizeError
from medsnap.imaging.metadata import items as kinds
from medsnap.imaging.metadata.bmp import scan_bmp
from medsnap.imaging.metadata.gif import scan_gif
from medsnap.imaging.metadata.items import Damaged, Findings, MetadataItem
from medsnap.imaging.metadata.jpeg import scan_jpeg
from medsnap.imaging.metadata.png import SIGNATURE as PNG_SIGNATURE
from medsnap.imaging.metadata.png import scan_png
from medsnap.imaging.metadata.png_streamed import StreamedIdat
from medsnap.imaging.metadata.tiff import scan_tiff_file
from medsnap.imaging.metadata.webp import scan_webp

Scanner = Callable[[bytes, Findings], None]


def container_format(data: bytes) -> str | None:
    """"PNG", "JPEG", "WEBP", "TIFF", "GIF", "BMP" from the first bytes, else None."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:2] == b"BM" and len(data) >= 26:
        return "BMP"
    return None


_SCANNERS: dict[str, Scanner] = {"PNG": scan_png, "JPEG": scan_jpeg, "WEBP": scan_webp,
                                 "TIFF": scan_tiff_file, "GIF": scan_gif, "BMP": scan_bmp}


def find_metadata(data: bytes, *, streamed_idat: StreamedIdat | None = None
                  ) -> list[MetadataItem]:
    """Every item beyond pixel data, with its location. A broken structure is itself an item
    (kind "damaged structure"): what lies beyond it cannot be vouched for.

    ``streamed_idat``: a PNG's image data was inflated while png_writer wrote it; its bytes
    are compared with the file's instead of inflated again (see png_streamed).

    Raises ImageError if the bytes are not one of the six formats MedSnap reads.
    """
    data = bytes(data)
    fmt = container_format(data)
    if fmt is None:
        raise ImageError("This is not a PNG, JPEG, WebP, TIFF, GIF or BMP file, so its "
                         "metadata cannot be listed. Nothing was changed.")
    findings = Findings()
    scanner = _SCANNERS[fmt]
    if fmt == "PNG" and streamed_idat is not None:
        scanner = partial(scan_png, streamed=streamed_idat)
    try:
        scanner(data, findings)
    except Damaged as damage:
        findings.add(damage.location, kinds.DAMAGED, damage.reason)
    except RecursionError:  # pragma: no cover - scanners do not recurse deeply
        findings.add(fmt, kinds.DAMAGED, "structure too deeply nested")
    return findings.items


def verify_clean(data: bytes, *, streamed_idat: StreamedIdat | None = None) -> None:
    """Accept only a PNG or JPEG that carries nothing but pixels; else raise SanitizeError.

    ``streamed_idat``: only for the PNG png_writer has just written with it (encode_clean)."""
    fmt = container_format(bytes(data[:16]))
    if fmt not in ("PNG", "JPEG"):
        raise SanitizeError("The exported image is not a PNG or JPEG, so it was not written. "
                            "Nothing was sent. Export again as PNG or JPEG.")
    found = find_metadata(data, streamed_idat=streamed_idat)
    if found:
        listed = "; ".join(str(item) for item in found[:5])
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise SanitizeError(f"The exported image still carries data beyond its pixels: "
                            f"{listed}{more}. It was not written and nothing was sent. "
                            "Please report this; do not share the image another way.")


__all__ = ["MetadataItem", "StreamedIdat", "container_format", "find_metadata",
           "verify_clean"]
