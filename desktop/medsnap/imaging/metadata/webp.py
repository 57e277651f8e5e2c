"""WebP (RIFF): report EXIF, XMP, ICC and unknown chunks, and bytes after the RIFF end."""

from __future__ import annotations

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.icc import icc_description
from medsnap.imaging.metadata.items import Damaged, Findings, trailing, unpack
from medsnap.imaging.metadata.tiff import scan_exif_block

PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}


def scan_webp(data: bytes, findings: Findings) -> None:
    (riff_size,) = unpack("<I", data, 4, "WebP header")
    end = 8 + riff_size
    if end > len(data):
        raise Damaged("WebP header", f"RIFF size {riff_size} runs past the end of the file")
    offset = 12
    while offset + 8 <= end and not findings.full:
        kind, size = unpack("<4sI", data, offset, f"WebP chunk at offset {offset}")
        name = kind.decode("latin-1")
        where = f"WebP chunk {name!r} at offset {offset}"
        body_end = offset + 8 + size
        if body_end > end:
            raise Damaged(where, f"chunk size {size} runs past the end of the file")
        body = data[offset + 8:body_end]
        if kind == b"EXIF":
            findings.add(where, k.EXIF, f"EXIF block, {size} bytes")
            block = body[6:] if body.startswith(b"Exif\x00\x00") else body
            try:
                scan_exif_block(block, where, findings)
            except Damaged as damage:
                findings.add(damage.location, k.DAMAGED, damage.reason)
        elif kind == b"XMP ":
            findings.add(where, k.XMP, f"XMP packet, {size} bytes")
        elif kind == b"ICCP":
            findings.add(where, k.ICC, f"ICC profile: {icc_description(body)}")
        elif kind not in PIXEL_CHUNKS:
            findings.add(where, k.UNKNOWN, f"unrecognised chunk, {size} bytes")
        offset = body_end + (size & 1)
    trailing(findings, data, end, "WebP RIFF end")
