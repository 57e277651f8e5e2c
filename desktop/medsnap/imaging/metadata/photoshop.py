"""Photoshop image resources (JPEG APP13): IPTC, thumbnails and other 8BIM blocks."""

from __future__ import annotations

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.items import Findings, unpack

_RESOURCES = {
    0x0404: (k.IPTC, "IPTC-NAA record"),
    0x0409: (k.THUMBNAIL, "Photoshop thumbnail"),
    0x040C: (k.THUMBNAIL, "Photoshop thumbnail"),
    0x040F: (k.ICC, "ICC profile"),
    0x0422: (k.EXIF, "EXIF data"),
    0x0424: (k.XMP, "XMP packet"),
    0x0425: (k.IPTC, "IPTC digest"),
    0x0BB7: (k.TEXT, "clipping path name"),
}
_MAX_RESOURCES = 200


def scan_photoshop(block: bytes, where: str, findings: Findings) -> None:
    """Each 8BIM resource as one item; anything unparsable is reported as unknown data."""
    offset, seen = 0, 0
    while offset + 12 <= len(block) and seen < _MAX_RESOURCES:
        signature, resource = unpack(">4sH", block, offset, where)
        if signature != b"8BIM":
            break
        name_length = block[offset + 6]
        name_end = offset + 6 + ((name_length + 2) & ~1)  # Pascal string padded to even
        (size,) = unpack(">I", block, name_end, where)
        kind, label = _RESOURCES.get(resource, (k.APPLICATION, "Photoshop resource"))
        findings.add(f"{where}, 8BIM resource {resource:#06x}", kind, f"{label}, {size} bytes")
        offset = name_end + 4 + size + (size & 1)
        seen += 1
    if seen == 0:
        findings.add(where, k.APPLICATION, f"APP13 Photoshop block, {len(block)} bytes")
    elif offset < len(block) and seen < _MAX_RESOURCES:
        findings.add(where, k.UNKNOWN, f"{len(block) - offset} unparsed bytes in APP13")
