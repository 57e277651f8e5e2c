"""What the metadata scanners report, and the small helpers they share.

The scanners are deliberately independent of Pillow: each walks its container's structure
with bounds checks on every read, always moves forward, and stops at a fixed item count,
so hostile input can only produce a list of findings or a typed error.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# Stable kind names (shown by `medsnap inspect`, matched by tests): add, never rename.
EXIF = "EXIF"
GPS = "GPS"
THUMBNAIL = "thumbnail"
XMP = "XMP"
IPTC = "IPTC"
ICC = "ICC profile"
COMMENT = "comment"
TEXT = "text"
TIMESTAMP = "timestamp"
TRAILING = "trailing data"
DEVICE = "device"
AUTHOR = "author"
SOFTWARE = "software"
EMBEDDED = "embedded image"
COLOUR = "colour space"
RESOLUTION = "resolution"
APPLICATION = "application data"
UNKNOWN = "unknown data"
DAMAGED = "damaged structure"
ANIMATION = "animation"
HIDDEN = "hidden data"

MAX_ITEMS = 500  # beyond this a file is plainly not clean; stop listing


@dataclass(frozen=True)
class MetadataItem:
    """One thing a file carries beyond its pixels."""

    location: str  # where in the file, e.g. "JPEG APP1 at offset 2"
    kind: str      # one of the kind names above, e.g. "EXIF"
    detail: str    # what it is, for a person

    def __str__(self) -> str:
        return f"{self.location}: {self.kind}: {self.detail}"


class Damaged(Exception):
    """The container's structure is broken at ``location``; scanning stops there."""

    def __init__(self, location: str, reason: str):
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


class Findings:
    """An append-only, size-capped list of MetadataItem."""

    def __init__(self) -> None:
        self.items: list[MetadataItem] = []

    def add(self, location: str, kind: str, detail: str) -> None:
        if len(self.items) < MAX_ITEMS:
            self.items.append(MetadataItem(location, kind, detail))
        elif len(self.items) == MAX_ITEMS:
            self.items.append(MetadataItem(location, UNKNOWN, "more items not listed"))

    @property
    def full(self) -> bool:
        return len(self.items) > MAX_ITEMS


def unpack(fmt: str, data: bytes, offset: int, where: str) -> tuple:
    """struct.unpack_from with a Damaged error instead of struct.error past the end."""
    if offset < 0 or offset + struct.calcsize(fmt) > len(data):
        raise Damaged(where, f"the file ends inside a header (needs bytes at {offset})")
    return struct.unpack_from(fmt, data, offset)


def preview(raw: bytes, limit: int = 48) -> str:
    """A short, printable rendering of a text value for a person to recognise."""
    text = raw.split(b"\x00", 1)[0][: limit * 4].decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def trailing(findings: Findings, data: bytes, end: int, after: str) -> None:
    """Report bytes after a container's end marker (where aCropalypse leftovers hide)."""
    extra = len(data) - end
    if extra <= 0:
        return
    tail = data[end:]
    hint = ""
    if b"IDAT" in tail or b"\xff\xd8\xff" in tail:
        hint = "; it contains image data (for example an older, uncropped version)"
    findings.add(f"after {after} at offset {end}", TRAILING, f"{extra} bytes{hint}")
