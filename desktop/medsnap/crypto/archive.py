"""The letter archive: a deterministic POSIX ustar writer and a strict in-memory reader.

Written archives are byte-for-byte reproducible (mtime 0, uid/gid 0, mode 0644, no user or
group names, regular files only) and list with GNU tar. The reader never touches the file
system and refuses everything ``tarfile`` would quietly accept: pax and GNU extension headers,
links, devices, directories, names outside the allowed set (so no path tricks), duplicate
members, base-256 numbers, bad checksums, non-zero padding, missing or dirty end blocks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from medsnap.crypto.age.api import preallocated
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
    sha256: str | None = field(default=None, compare=False)  # hex, when the reader hashed it


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


class ArchiveLayout:
    """The bytes ``write_archive`` returns, served piece by piece without being joined.

    A piece inside one member's data is a view of the caller's bytes (no copy); a piece
    spanning headers, padding or member boundaries is assembled in a small scratch buffer.
    """

    def __init__(self, members: Sequence[tuple[str, bytes]]):
        self._segments: list[tuple[int, memoryview]] = []  # (offset, bytes); gaps are zeros
        length = 0
        for name, data in members:
            view = memoryview(data).cast("B")
            self._segments += [(length, memoryview(_header(name, len(view)))),
                               (length + BLOCK, view)]
            length += BLOCK + len(view) + (-len(view) % BLOCK)
        end = 2 * BLOCK
        self.size = length + end + (-(length + end) % RECORD)
        self._scratch = bytearray()
        self._next = 0  # index of the first segment that may still be asked for

    def plain(self, offset: int, size: int) -> memoryview:
        segments, index = self._segments, self._next
        while index < len(segments) and segments[index][0] + len(segments[index][1]) <= offset:
            index += 1  # pieces are asked for in order: skip what lies wholly before
        self._next = index
        if index < len(segments):
            start, data = segments[index]
            if start <= offset and offset + size <= start + len(data):
                return data[offset - start:offset - start + size]
        if len(self._scratch) < size:
            self._scratch = bytearray(size)
        piece = memoryview(self._scratch)[:size]
        piece[:] = bytes(size)
        for start, data in segments[index:]:
            if start >= offset + size:
                break
            lo, hi = max(start, offset), min(start + len(data), offset + size)
            piece[lo - offset:hi - offset] = data[lo - start:hi - start]
        return piece


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


class _Reading:
    """The member whose data is arriving: written in place into an exact-size buffer."""

    def __init__(self, name: str, size: int, hashed: bool):
        self.name, self.size, self.filled = name, size, 0
        self.buffer = preallocated(size)
        self.view = self.buffer.getbuffer()
        self.hash = hashlib.sha256() if hashed else None

    def arrived(self, size: int) -> None:
        if self.hash is not None:
            self.hash.update(self.view[self.filled:self.filled + size])
        self.filled += size

    def member(self) -> Member:
        self.view.release()
        digest = self.hash.hexdigest() if self.hash is not None else None
        return Member(self.name, self.buffer.getvalue(), digest)


class ArchiveReader:
    """The strict parser, fed the archive in order in pieces of any size.

    ``length`` is the whole archive's size, known up front. Rules and the order in which they
    are checked are those of reading the whole archive at once; ``direct`` lets the caller
    write a piece of member data straight into its final place instead of calling ``feed``.
    """

    def __init__(self, length: int, limits: Mapping[str, int], *, hashed: bool = False):
        self.length, self.limits, self.hashed = length, limits, hashed
        self.offset = 0  # archive bytes taken in so far
        self.members: list[Member] = []
        self._started = False
        self._header = bytearray()
        self._reading: _Reading | None = None
        self._padding = 0  # zero bytes still due after the current member
        self._at_end = False

    def _start(self) -> None:
        if not self._started:
            self._started = True
            if self.length % BLOCK or self.length < 2 * BLOCK:
                raise ArchiveError("archive length is not a whole number of tar blocks")

    def direct(self, offset: int, size: int) -> memoryview | None:
        """Where the archive bytes ``[offset, offset + size)`` can be written in place."""
        reading = self._reading
        if reading is None or offset != self.offset or reading.filled + size > reading.size:
            return None
        return reading.view[reading.filled:reading.filled + size]

    def wrote_direct(self, size: int) -> None:
        """The ``size`` bytes asked for with ``direct`` are now in place."""
        assert self._reading is not None
        self._reading.arrived(size)
        self.offset += size
        self._member_data_done()

    def feed(self, data: memoryview) -> None:
        self._start()
        pos, end = 0, len(data)
        while pos < end:
            if self._at_end:
                if any(data[pos:]):
                    raise ArchiveError("archive end blocks are missing or followed by data")
                take = end - pos
            elif self._reading is not None:
                reading = self._reading
                take = min(end - pos, reading.size - reading.filled)
                reading.view[reading.filled:reading.filled + take] = data[pos:pos + take]
                reading.arrived(take)
            elif self._padding:
                take = min(end - pos, self._padding)
                if any(data[pos:pos + take]):
                    raise ArchiveError(f"archive member {self.members[-1].name!r} has "
                                       "non-zero padding")
                self._padding -= take
            else:
                take = min(end - pos, BLOCK - len(self._header))
                self._header += data[pos:pos + take]
            pos += take
            self.offset += take
            if self._reading is not None:
                self._member_data_done()
            elif len(self._header) == BLOCK:
                header = bytes(self._header)
                self._header.clear()
                self._on_header(header, self.offset - BLOCK)

    def _on_header(self, header: bytes, offset: int) -> None:
        if not any(header):
            # end of archive: a second zero block, then nothing but zeros
            if offset + 2 * BLOCK > self.length:
                raise ArchiveError("archive end blocks are missing or followed by data")
            self._at_end = True
            return
        name, size = _parse_header(header, self.limits)
        if any(m.name == name for m in self.members):
            raise ArchiveError(f"archive member {name!r} appears twice")
        if len(self.members) >= MAX_MEMBERS:
            raise ArchiveError("archive has too many members")
        if offset + BLOCK + size + (-size % BLOCK) > self.length:
            raise ArchiveError(f"archive member {name!r} is truncated")
        self._reading = _Reading(name, size, self.hashed)
        self._member_data_done()

    def _member_data_done(self) -> None:
        reading = self._reading
        if reading is not None and reading.filled == reading.size:
            self._reading = None
            self._padding = -reading.size % BLOCK
            self.members.append(reading.member())

    def finish(self) -> list[Member]:
        """The members, once the whole archive has been fed and ended properly."""
        self._start()
        if not self._at_end:
            raise ArchiveError("archive ends without its end-of-archive blocks")
        return self.members


def read_archive(data: bytes, limits: Mapping[str, int]) -> list[Member]:
    """Parse ``data`` in memory. ``limits`` maps each allowed member name to its maximum size."""
    reader = ArchiveReader(len(data), limits)
    reader.feed(memoryview(data))
    return reader.finish()
