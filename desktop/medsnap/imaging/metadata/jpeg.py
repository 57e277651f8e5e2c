"""JPEG: walk the markers and the entropy-coded data, report everything beyond the pixels."""

from __future__ import annotations

import re

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.icc import icc_description
from medsnap.imaging.metadata.items import Damaged, Findings, trailing, unpack
from medsnap.imaging.metadata.photoshop import scan_photoshop
from medsnap.imaging.metadata.tiff import scan_exif_block

SOI, EOI, SOS, COM, APP0, APP14 = 0xD8, 0xD9, 0xDA, 0xFE, 0xE0, 0xEE
# Markers that only carry decoding tables, frame and scan headers.
STRUCTURE = {0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD,
             0xCE, 0xCF, 0xDB, 0xDC, 0xDD}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_NEXT_MARKER = re.compile(rb"\xff(?!\x00|[\xd0-\xd7]|\xff)")  # end of entropy-coded data
_NAMES = {COM: "COM", SOS: "SOS", EOI: "EOI", SOI: "SOI", 0xDB: "DQT", 0xC4: "DHT",
          0xDD: "DRI", 0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2"}
_EXIF = b"Exif\x00"
_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENDED = b"http://ns.adobe.com/xmp/extension/\x00"


def _is_bare_jfif(body: bytes) -> bool:
    """The 14-byte JFIF header with no thumbnail (what every encoder writes)."""
    return len(body) == 14 and body[:5] == b"JFIF\x00" and body[12:14] == b"\x00\x00"


def _app_segment(marker: int, body: bytes, where: str, findings: Findings) -> None:
    n = marker - APP0
    if marker == APP0 and body[:5] == b"JFIF\x00" and body[12:14] not in (b"", b"\x00\x00"):
        findings.add(where, k.THUMBNAIL, "JFIF header with an embedded thumbnail")
    elif marker == APP0 and body[:5] == b"JFIF\x00":
        findings.add(where, k.APPLICATION, f"non-standard JFIF header, {len(body)} bytes")
    elif marker == APP0 and body[:5] == b"JFXX\x00":
        findings.add(where, k.THUMBNAIL, "JFIF extension thumbnail")
    elif n == 1 and body.startswith(_EXIF):
        findings.add(where, k.EXIF, f"EXIF block, {len(body)} bytes")
        try:
            scan_exif_block(body[6:], where, findings)
        except Damaged as damage:
            findings.add(damage.location, k.DAMAGED, damage.reason)
    elif n == 1 and body.startswith((_XMP, _XMP_EXTENDED)):
        history = "; includes edit history" if b"History" in body else ""
        findings.add(where, k.XMP, f"XMP packet, {len(body)} bytes{history}")
    elif n == 2 and body.startswith(b"ICC_PROFILE\x00"):
        findings.add(where, k.ICC, f"ICC profile part {body[12:13].hex()}: "
                     f"{icc_description(body[14:])}")
    elif n == 2 and body.startswith(b"MPF\x00"):
        findings.add(where, k.EMBEDDED, "multi-picture index (further images in the file)")
    elif n == 13 and body.startswith(b"Photoshop 3.0\x00"):
        scan_photoshop(body[14:], where, findings)
    elif marker == APP14 and body.startswith(b"Adobe"):
        findings.add(where, k.COLOUR, "Adobe colour-transform marker")
    else:
        ident = body[:24].split(b"\x00", 1)[0].decode("latin-1", "replace")
        findings.add(where, k.APPLICATION, f"APP{n} segment {ident!r}, {len(body)} bytes")


def scan_jpeg(data: bytes, findings: Findings) -> None:
    offset = 2
    frames = 0
    while not findings.full:
        where = f"JPEG marker at offset {offset}"
        if offset >= len(data):
            raise Damaged(where, "the file ends without an EOI marker (truncated)")
        if data[offset] != 0xFF:
            raise Damaged(where, f"expected a marker, found byte {data[offset]:#04x}")
        while offset + 1 < len(data) and data[offset + 1] == 0xFF:
            offset += 1  # fill bytes
        (marker,) = unpack("B", data, offset + 1, where)
        name = (f"APP{marker - APP0}" if APP0 <= marker <= 0xEF
                else _NAMES.get(marker, f"marker {marker:#04x}"))
        where = f"JPEG {name} at offset {offset}"
        if marker == EOI:
            trailing(findings, data, offset + 2, "JPEG EOI")
            return
        if marker in _STANDALONE:
            offset += 2
            continue
        if marker == SOI:
            raise Damaged(where, "a second start-of-image marker")
        (length,) = unpack(">H", data, offset + 2, where)
        end = offset + 2 + length
        if length < 2 or end > len(data):
            raise Damaged(where, f"segment length {length} runs past the end of the file")
        body = data[offset + 4:end]
        if marker == APP0 and _is_bare_jfif(body):
            pass
        elif APP0 <= marker <= 0xEF:
            _app_segment(marker, body, where, findings)
        elif marker == COM:
            findings.add(where, k.COMMENT, f"comment, {len(body)} bytes")
        elif marker in STRUCTURE:
            frames += marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB,
                                 0xCD, 0xCE, 0xCF)
            if frames > 1:
                findings.add(where, k.EMBEDDED, "a second frame header (another image)")
        elif marker != SOS:
            findings.add(where, k.UNKNOWN, f"marker {marker:#04x}, {len(body)} bytes")
        offset = end
        if marker == SOS:
            found = _NEXT_MARKER.search(data, offset)
            if found is None:
                raise Damaged(where, "the file ends inside the image data (truncated)")
            offset = found.start()
