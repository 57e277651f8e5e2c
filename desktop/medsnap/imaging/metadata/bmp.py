"""BMP: pixels only, except an embedded ICC profile (V5 header) and bytes after the file."""

from __future__ import annotations

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.icc import icc_description
from medsnap.imaging.metadata.items import Findings, trailing, unpack

_PROFILE_EMBEDDED = b"MBED"


def scan_bmp(data: bytes, findings: Findings) -> None:
    (file_size,) = unpack("<I", data, 2, "BMP header")
    (header_size,) = unpack("<I", data, 14, "BMP header")
    if header_size >= 124:  # BITMAPV5HEADER: colour space type, profile offset and size
        (cs_type,) = unpack("<4s", data, 14 + 56, "BMP V5 header")
        profile_offset, profile_size = unpack("<II", data, 14 + 112, "BMP V5 header")
        if cs_type[::-1] == _PROFILE_EMBEDDED or cs_type == _PROFILE_EMBEDDED:
            start = 14 + profile_offset
            profile = data[start:start + profile_size]
            findings.add(f"BMP V5 header, profile at offset {start}", k.ICC,
                         f"ICC profile: {icc_description(profile)}")
    if 26 <= file_size < len(data):
        trailing(findings, data, file_size, "BMP end (declared file size)")
