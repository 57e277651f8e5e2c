"""Read the human-readable description out of an ICC profile (best effort, bounded)."""

from __future__ import annotations

import struct

_MAX_TAGS = 200


def icc_description(profile: bytes) -> str:
    """The profile's 'desc' text (v2 'desc' or v4 'mluc'), or a size note if unreadable."""
    try:
        text = _find_description(profile)
    except (struct.error, UnicodeDecodeError, ValueError):
        text = ""
    size = f"{len(profile)} bytes"
    return f'"{text}", {size}' if text else size


def _find_description(profile: bytes) -> str:
    if len(profile) < 132:
        return ""
    (count,) = struct.unpack_from(">I", profile, 128)
    for index in range(min(count, _MAX_TAGS)):
        entry = 132 + 12 * index
        if entry + 12 > len(profile):
            return ""
        signature, offset, size = struct.unpack_from(">4sII", profile, entry)
        if signature == b"desc" and offset + min(size, 12) <= len(profile):
            return _decode_text(profile[offset:offset + size])
    return ""


def _decode_text(tag: bytes) -> str:
    kind = tag[:4]
    if kind == b"desc" and len(tag) >= 12:
        (length,) = struct.unpack_from(">I", tag, 8)
        raw = tag[12:12 + min(length, 256)]
        return _printable(raw.split(b"\x00", 1)[0].decode("latin-1"))
    if kind == b"mluc" and len(tag) >= 16:
        records, record_size = struct.unpack_from(">II", tag, 8)
        if records and record_size >= 12 and 16 + 12 <= len(tag):
            length, offset = struct.unpack_from(">II", tag, 16 + 4)
            raw = tag[offset:offset + min(length, 512)]
            return _printable(raw.decode("utf-16-be", "replace"))
    return ""


def _printable(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return cleaned[:80]
