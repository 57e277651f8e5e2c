"""The letter archive: a deterministic POSIX ustar writer and a strict in-memory reader.

Written archives are byte-for-byte reproducible (mtime 0, uid/gid 0, mode 0644, no user or
group names, regular files only) and list with GNU tar. The reader never touches the file
system and refuses everything ``tarfile`` would quietly accept: pax and GNU extension headers,
links, devices, directories, names outside the allowed set (so no path tricks), duplicate
members, base-256 numbers, bad checksums, non-zero padding, missing or dirty end blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medsnap.crypto.letter_errors import MalformedLetter

BLOCK = 512
RECORD = 20 * BLOCK  # what GNU tar pads to; readers accept any multiple of BLOCK
MAX_MEMBERS = 16
_MAGIC = b"ustar\x00"
_VERSION = b"00"
_REGULAR = b"0"
_MODE = 0o644


class ArchiveError(MalformedLetter):
    """The archive inside a letter breaks a rule of the strict ustar profile."""


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes


def _octal(value: int, width: int) -> bytes:
    """A NUL-terminated zero-padded octal field of ``width`` bytes."""
    digits = f"{value:0{width - 1}o}".encode("ascii")
    if len(digits) != width - 1:
        raise ValueError(f"{value} does not fit a {width}-byte tar field")
    return digits + b"\x00"


def _header(name: str, size: int) -> bytes:
    encoded = name.encode("ascii")
    if not 0 < len(encoded) < 100 or "/" in name:
        raise ValueError(f"bad member name {name!r}")
    header = bytearray(BLOCK)
    header[0:len(encoded)] = encoded
    header[100:108] = _octal(_MODE, 8)
    header[108:116] = _octal(0, 8)
    header[116:124] = _octal(0, 8)
    header[124:136] = _octal(size, 12)
    header[136:148] = _octal(0, 12)
    header[148:156] = b" " * 8  # checksum is computed over spaces here
    header[156:157] = _REGULAR
    header[257:263] = _MAGIC
    header[263:265] = _VERSION
    header[329:337] = _octal(0, 8)
    header[337:345] = _octal(0, 8)
    header[148:156] = f"{sum(header):06o}".encode("ascii") + b"\x00 "
    return bytes(header)


def write_archive(members: Sequence[tuple[str, bytes]]) -> bytes:
    """Members in the given order, then two zero blocks, padded to a whole record."""
    pieces: list[bytes] = []
    length = 0
    for name, data in members:
        padding = bytes(-len(data) % BLOCK)
        pieces += [_header(name, len(data)), data, padding]
        length += BLOCK + len(data) + len(padding)
    end = 2 * BLOCK
    pieces.append(bytes(end + (-(length + end) % RECORD)))
    return b"".join(pieces)  # one copy of the image, however large


def _parse_octal(field: bytes, what: str) -> int:
    digits = field.rstrip(b"\x00 ")
    if not digits or any(c not in b"01234567" for c in digits) \
            or b"\x00" in field[:len(digits)]:
        raise ArchiveError(f"archive {what} field is not a plain octal number")
    tail = field[len(digits):]
    if tail.strip(b"\x00 "):
        raise ArchiveError(f"archive {what} field has trailing bytes")
    return int(digits, 8)


def _c_string(field: bytes, what: str) -> str:
    text, _, rest = field.partition(b"\x00")
    if rest.strip(b"\x00") or not all(0x20 < c < 0x7F for c in text):
        raise ArchiveError(f"archive {what} is not a plain name")
    return text.decode("ascii")


def _checksum_ok(header: bytes) -> bool:
    stored = _parse_octal(header[148:156], "checksum")
    computed = sum(header[:148]) + 8 * 0x20 + sum(header[156:])
    return stored == computed


def _parse_header(header: bytes, limits: Mapping[str, int]) -> tuple[str, int]:
    if header[257:263] != _MAGIC or header[263:265] != _VERSION:
        raise ArchiveError("archive member is not a POSIX ustar header")
    if not _checksum_ok(header):
        raise ArchiveError("archive header checksum does not match")
    if header[156:157] != _REGULAR:
        raise ArchiveError("archive holds something other than a regular file")
    if any(header[157:257]) or any(header[345:512]):
        raise ArchiveError("archive member has a link target, a name prefix or extra data")
    name = _c_string(header[0:100], "member name")
    if name not in limits:
        raise ArchiveError(f"unexpected archive member {name!r}")
    mode = _parse_octal(header[100:108], "mode")
    if mode & ~0o777:
        raise ArchiveError("archive member has special permission bits")
    for start, end, what in ((108, 116, "uid"), (116, 124, "gid"), (136, 148, "mtime"),
                             (329, 337, "device"), (337, 345, "device")):
        if header[start:end].strip(b"\x00"):
            _parse_octal(header[start:end], what)
    _c_string(header[265:297], "user name")
    _c_string(header[297:329], "group name")
    size = _parse_octal(header[124:136], "size")
    if size > limits[name]:
        raise ArchiveError(f"archive member {name!r} is larger than allowed")
    return name, size


def read_archive(data: bytes, limits: Mapping[str, int]) -> list[Member]:
    """Parse ``data`` in memory. ``limits`` maps each allowed member name to its maximum size."""
    view = memoryview(data)
    if len(view) % BLOCK or len(view) < 2 * BLOCK:
        raise ArchiveError("archive length is not a whole number of tar blocks")
    members: list[Member] = []
    seen: set[str] = set()
    offset = 0
    while True:
        if offset + BLOCK > len(view):
            raise ArchiveError("archive ends without its end-of-archive blocks")
        header = bytes(view[offset:offset + BLOCK])
        if not any(header):
            # end of archive: a second zero block, then nothing but zeros
            if offset + 2 * BLOCK > len(view) or any(view[offset:]):
                raise ArchiveError("archive end blocks are missing or followed by data")
            return members
        name, size = _parse_header(header, limits)
        if name in seen:
            raise ArchiveError(f"archive member {name!r} appears twice")
        if len(members) >= MAX_MEMBERS:
            raise ArchiveError("archive has too many members")
        seen.add(name)
        start = offset + BLOCK
        end = start + size
        padded_end = end + (-size % BLOCK)
        if padded_end > len(view):
            raise ArchiveError(f"archive member {name!r} is truncated")
        if any(view[end:padded_end]):
            raise ArchiveError(f"archive member {name!r} has non-zero padding")
        members.append(Member(name, bytes(view[start:end])))
        offset = padded_end
