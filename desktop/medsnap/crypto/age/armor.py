"""Strict ASCII armor (RFC 7468 strict PEM, label "AGE ENCRYPTED FILE"), streaming.

Only whitespace may surround the block; inside, every line but the last holds exactly 64
base64 characters, padding appears only at the very end, and the base64 is canonical.
LF and CRLF line endings are both accepted.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import BinaryIO

from .errors import ArmorError

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
WHITESPACE = b" \t\r\n"
LINE = 64
_GROUP = LINE // 4 * 3  # bytes per full line
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_MAX_WHITESPACE = 64 * 1024
_BLOCK = 64 * 1024  # text read per step: about a thousand lines


class ArmorWriter:
    """Wraps ``dst``; ``close()`` writes the end line but leaves ``dst`` open."""

    def __init__(self, dst: BinaryIO):
        self._dst = dst
        self._pending = bytearray()
        dst.write(BEGIN + b"\n")

    def write(self, data: bytes | memoryview) -> int:
        self._pending += data
        whole = len(self._pending) // _GROUP * _GROUP
        if whole:
            self._emit(bytes(self._pending[:whole]))
            del self._pending[:whole]
        return len(data)

    def _emit(self, data: bytes) -> None:
        text = base64.b64encode(data)
        self._dst.write(b"".join(text[i : i + LINE] + b"\n" for i in range(0, len(text), LINE)))

    def close(self) -> None:
        if self._pending:
            self._emit(bytes(self._pending))
            self._pending.clear()
        self._dst.write(END + b"\n")


def _strip_eol(line: bytes) -> tuple[bytes, bool]:
    if line.endswith(b"\r\n"):
        return line[:-2], True
    if line.endswith(b"\n"):
        return line[:-1], True
    return line, False


class ArmorReader:
    """A read-only binary stream that yields the bytes inside an armored age file.

    The text is read in blocks of lines and each block is validated and decoded in one go.
    """

    def __init__(self, src: BinaryIO):
        self._src = src
        self._buffer = bytearray()  # decoded bytes not yet handed out
        self._partial = b""  # text after the last line feed read so far
        self._started = False
        self._done = False
        self._last_short = False

    def _begin(self) -> None:
        skipped = 0
        while True:
            line = self._src.readline(LINE + 16)
            if not line:
                raise ArmorError("the armored file has no begin line")
            stripped = line.lstrip(WHITESPACE)
            if stripped:
                break
            skipped += len(line)
            if skipped > _MAX_WHITESPACE:
                raise ArmorError("too much whitespace before the armor")
        content, terminated = _strip_eol(stripped)
        if content != BEGIN or not terminated:
            raise ArmorError("the begin line is not -----BEGIN AGE ENCRYPTED FILE-----")
        self._started = True

    def _next_block(self) -> None:
        chunk = self._src.read(_BLOCK)
        if not chunk:
            if self._partial.rstrip(b"\r") == END:  # end line without a final line feed
                self._finish(b"")
                return
            raise ArmorError("the armored file has no end line")
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > LINE + 1:
            raise ArmorError("an armor line is too long")
        contents = []
        for index, raw in enumerate(lines):
            line = raw[:-1] if raw.endswith(b"\r") else raw
            if line == END:
                self._decode(contents)
                self._finish(b"\n".join(lines[index + 1 :]) + b"\n" + self._partial)
                return
            if self._last_short:
                raise ArmorError("a short armor line is followed by more data")
            if len(line) != LINE:
                if not line or len(line) > LINE:
                    raise ArmorError("an armor line has the wrong length")
                self._last_short = True
            elif line.endswith(b"="):
                self._last_short = True
            contents.append(line)
        self._decode(contents)

    def _decode(self, contents: list[bytes]) -> None:
        text = b"".join(contents)
        if not _BASE64_LINE.fullmatch(text) or len(text) % 4:
            raise ArmorError("the armor is not valid padded base64")
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ArmorError("the armor is not valid base64") from None
        if base64.b64encode(data) != text:
            raise ArmorError("the armor is not canonical base64")
        self._buffer += data

    def _finish(self, rest: bytes) -> None:
        seen = len(rest)
        while True:
            if rest.strip(WHITESPACE):
                raise ArmorError("there is data after the end line")
            if seen > _MAX_WHITESPACE:
                raise ArmorError("too much whitespace after the armor")
            rest = self._src.read(4096)
            if not rest:
                break
            seen += len(rest)
        self._done = True

    def _want(self, size: int) -> None:
        if not self._started:
            self._begin()
        while len(self._buffer) < size and not self._done:
            self._next_block()

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            self._want(1 << 62)
            size = len(self._buffer)
        else:
            self._want(size)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readinto(self, target: memoryview | bytearray) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        limit = 1 << 62 if limit is None or limit < 0 else limit
        if not self._started:
            self._begin()
        while True:
            end = self._buffer.find(b"\n", 0, limit)
            if end >= 0:
                return self.read(end + 1)
            if len(self._buffer) >= limit or self._done:
                return self.read(limit)
            self._next_block()


def looks_armored(prefix: bytes) -> bool:
    stripped = prefix.lstrip(WHITESPACE)
    return stripped.startswith(b"-")
