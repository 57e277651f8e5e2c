"""The age v1 text header: version line, recipient stanzas, HMAC line.

Parsing is strict (canonical base64, 64-column body lines, LF only) and bounded so that
hostile input cannot make it read or hold an unlimited amount of data.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import b64
from .errors import HeaderError, HmacError

VERSION_LINE = b"age-encryption.org/v1\n"
VERSION_PREFIX = b"age-encryption.org/"
MAX_LINE = 64 * 1024  # longest header line accepted (post-quantum stanzas are ~1.5 KB)
MAX_STANZAS = 1024
MAC_SIZE = 32


class Stanza:
    """One recipient stanza: ``-> type args...`` plus a binary body."""

    # A plain class rather than a dataclass: importing dataclasses costs the CLI start-up.
    def __init__(self, type: str, args: list[str] | None = None, body: bytes = b""):
        self.type = type
        self.args = list(args or [])
        self.body = body

    def __repr__(self) -> str:
        return f"Stanza({self.type!r}, {self.args!r}, <{len(self.body)} bytes>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stanza) and (self.type, self.args, self.body) == (other.type, other.args, other.body)

    def to_bytes(self) -> bytes:
        out = bytearray(b"-> " + " ".join([self.type, *self.args]).encode("ascii") + b"\n")
        encoded = b64.encode(self.body)
        lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
        if not lines or len(lines[-1]) == 64:
            lines.append(b"")  # a body always ends with a line shorter than 64 columns
        for line in lines:
            out += line + b"\n"
        return bytes(out)


class Header:
    def __init__(self, stanzas: list[Stanza], mac: bytes, mac_input: bytes):
        self.stanzas = stanzas
        self.mac = mac
        self.mac_input = mac_input  # the exact header bytes up to and including "---"

    def verify_mac(self, file_key: bytes) -> None:
        expected = header_mac(file_key, self.mac_input)
        if not hmac.compare_digest(expected, self.mac):
            raise HmacError("the header MAC does not match")


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def header_mac(file_key: bytes, mac_input: bytes) -> bytes:
    key = hkdf_sha256(file_key, b"", b"header")
    return hmac.new(key, mac_input, hashlib.sha256).digest()


def build_header(stanzas: list[Stanza], file_key: bytes) -> bytes:
    """Serialise stanzas and append the MAC line."""
    mac_input = VERSION_LINE + b"".join(s.to_bytes() for s in stanzas) + b"---"
    return mac_input + b" " + b64.encode(header_mac(file_key, mac_input)) + b"\n"


def _read_line(src: BinaryIO, what: str) -> bytes:
    line = src.readline(MAX_LINE + 1)
    if not line.endswith(b"\n"):
        if len(line) > MAX_LINE:
            raise HeaderError(f"{what} is too long")
        raise HeaderError(f"the header ends early while reading {what}")
    return line


def _parse_arguments(line: bytes) -> tuple[str, list[str]]:
    words = line[3:-1].split(b" ")
    for word in words:
        if not word:
            raise HeaderError("a recipient stanza has an empty argument")
        if any(c < 0x21 or c > 0x7E for c in word):
            raise HeaderError("a recipient stanza argument has characters that are not allowed")
    decoded = [w.decode("ascii") for w in words]
    return decoded[0], decoded[1:]


def _read_body(src: BinaryIO, raw: bytearray) -> bytes:
    encoded = bytearray()
    while True:
        line = _read_line(src, "a stanza body")
        raw += line
        content = line[:-1]
        if len(content) > 64:
            raise HeaderError("a stanza body line is longer than 64 columns")
        encoded += content
        if len(content) < 64:
            return b64.decode(bytes(encoded), "a stanza body")
        if len(encoded) > MAX_LINE:
            raise HeaderError("a stanza body is too long")


def read_header(src: BinaryIO) -> Header:
    """Read exactly the header from ``src``, leaving it positioned at the payload nonce."""
    raw = bytearray()
    first = src.readline(len(VERSION_LINE) + 64)
    if first != VERSION_LINE:
        if first.startswith(VERSION_PREFIX):
            raise HeaderError("the file uses an unsupported age version")
        raise HeaderError("the file does not start with the age v1 version line")
    raw += first
    stanzas: list[Stanza] = []
    while True:
        line = _read_line(src, "a header line")
        if line.startswith(b"--- "):
            if not stanzas:
                raise HeaderError("the header has no recipient stanzas")
            raw += b"---"
            mac = b64.decode(line[4:-1], "the header MAC")
            if len(mac) != MAC_SIZE:
                raise HeaderError("the header MAC has the wrong length")
            return Header(stanzas, mac, bytes(raw))
        if not line.startswith(b"-> "):
            raise HeaderError("a header line is neither a recipient stanza nor the MAC")
        if len(stanzas) >= MAX_STANZAS:
            raise HeaderError("the header has too many recipient stanzas")
        raw += line
        kind, args = _parse_arguments(line)
        stanzas.append(Stanza(kind, args, _read_body(src, raw)))
