"""Encrypt and decrypt whole buffers or streams (constant memory) to age v1."""

from __future__ import annotations

import io
import os
from typing import BinaryIO, Protocol, Sequence

from .armor import ArmorReader, ArmorWriter, WHITESPACE, looks_armored
from .errors import AgeError, HeaderError, NoIdentityMatched, RecipientError
from .header import Stanza, build_header, read_header
from .scrypt import STANZA_TYPE as SCRYPT, ScryptRecipient
from .stream import (PayloadSealer, PlainSink, PlainSource, decrypt_into, decrypt_payload,
                     encrypt_payload, plain_size, read_nonce, sealed_size)

FILE_KEY_SIZE = 16
_SNIFF_LIMIT = 4096


class Recipient(Protocol):
    def wrap(self, file_key: bytes) -> list[Stanza]: ...


class Identity(Protocol):
    def unwrap(self, stanzas: list[Stanza]) -> bytes | None: ...


def encrypt_stream(
    src: BinaryIO, dst: BinaryIO, recipients: Sequence[Recipient], *, armor: bool = False
) -> None:
    """Encrypt everything readable from ``src`` to ``dst`` for ``recipients``, in 1 MiB steps.

    ``dst.write`` receives memoryviews of reused buffers (file objects copy them anyway).
    """
    file_key, header = _new_header(recipients)
    out: BinaryIO | ArmorWriter = ArmorWriter(dst) if armor else dst
    out.write(header)
    encrypt_payload(src, out, file_key)  # type: ignore[arg-type]
    if isinstance(out, ArmorWriter):
        out.close()


def _new_header(recipients: Sequence[Recipient]) -> tuple[bytes, bytes]:
    """A fresh file key and the header that wraps it for every recipient."""
    recipients = list(recipients)
    if not recipients:
        raise RecipientError("no recipient was given")
    if any(isinstance(r, ScryptRecipient) for r in recipients) and len(recipients) > 1:
        raise RecipientError("a passphrase cannot be combined with other recipients")
    file_key = os.urandom(FILE_KEY_SIZE)
    stanzas = [stanza for recipient in recipients for stanza in recipient.wrap(file_key)]
    return file_key, build_header(stanzas, file_key)


def preallocated(size: int) -> io.BytesIO:
    """A BytesIO holding exactly ``size`` bytes; its ``getvalue()`` then returns them as
    ``bytes`` without a copy (once every ``getbuffer()`` view is gone)."""
    out = io.BytesIO()
    if size:
        out.seek(size - 1)
        out.write(b"\0")
    return out


class BufferEncryption:
    """An age file for ``size`` bytes of plaintext, written into one exact-size buffer.

    ``seal`` encrypts any range of chunks (``sealer.chunks_from`` helps pick them);
    ``result`` returns the file once every chunk has been sealed exactly once.
    """

    def __init__(self, size: int, recipients: Sequence[Recipient]):
        file_key, header = _new_header(recipients)
        self._out = preallocated(len(header) + sealed_size(size))
        self._view = self._out.getbuffer()
        self._view[: len(header)] = header
        self.sealer: PayloadSealer | None = PayloadSealer(file_key, size,
                                                          self._view[len(header) :])

    def seal(self, source: PlainSource, chunks: range) -> None:
        assert self.sealer is not None
        self.sealer.seal(source, chunks)

    def result(self) -> bytes:
        self.sealer = None  # drops its view, so the buffer can be returned without a copy
        self._view.release()
        return self._out.getvalue()


def encrypt_from(source: PlainSource, size: int, recipients: Sequence[Recipient]) -> bytes:
    """Encrypt ``size`` bytes read piecewise from ``source`` into one exact-size buffer."""
    encryption = BufferEncryption(size, recipients)
    encryption.seal(source, range(encryption.sealer.count))  # type: ignore[union-attr]
    return encryption.result()


class _Slices:
    def __init__(self, data: bytes | bytearray | memoryview):
        self.view = memoryview(data)

    def plain(self, offset: int, size: int) -> memoryview:
        return self.view[offset : offset + size]


def encrypt(plaintext: bytes, recipients: Sequence[Recipient], *, armor: bool = False) -> bytes:
    if not armor:
        return encrypt_from(_Slices(plaintext), len(plaintext), recipients)
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), out, recipients, armor=armor)
    return out.getvalue()


def unwrap_file_key(stanzas: list[Stanza], identities: Sequence[Identity]) -> bytes:
    """Find the file key with the first identity that opens a stanza."""
    if any(s.type == SCRYPT for s in stanzas) and len(stanzas) != 1:
        raise HeaderError("a passphrase (scrypt) stanza must be the only one")
    for identity in identities:
        file_key = identity.unwrap(stanzas)
        if file_key is not None:
            if len(file_key) != FILE_KEY_SIZE:
                raise HeaderError("the wrapped file key has the wrong length")
            return file_key
    raise NoIdentityMatched()


class _Prefixed:
    """``src`` with some already-consumed bytes put back in front of it."""

    def __init__(self, prefix: bytes, src: BinaryIO):
        self._prefix = prefix
        self._src = src

    def read(self, size: int = -1) -> bytes:
        if not self._prefix:
            return self._src.read(size)
        if size is None or size < 0:
            data, self._prefix = self._prefix + self._src.read(), b""
            return data
        data, self._prefix = self._prefix[:size], self._prefix[size:]
        return data

    def readinto(self, target: memoryview | bytearray) -> int:
        if not self._prefix:
            return _readinto(self._src, target)
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        if not self._prefix:
            return self._src.readline(limit)
        limit = 1 << 62 if limit is None or limit < 0 else limit
        end = self._prefix.find(b"\n", 0, limit)
        if end >= 0 or len(self._prefix) >= limit:
            return self.read(end + 1 if end >= 0 else limit)
        head = self.read(len(self._prefix))
        return head + self._src.readline(limit - len(head))


def _readinto(src: BinaryIO, target: memoryview | bytearray) -> int:
    readinto = getattr(src, "readinto", None)
    if readinto is not None:
        return readinto(target) or 0
    data = src.read(len(target))
    target[: len(data)] = data
    return len(data)


def _open_source(src: BinaryIO, armored: bool | None) -> BinaryIO:
    if armored is None:
        # Binary age files start with "age-", armored ones with "-----BEGIN" after
        # optional whitespace: one non-blank byte decides.
        prefix = b""
        while len(prefix) < _SNIFF_LIMIT:
            byte = src.read(1)
            prefix += byte
            if not byte or byte not in WHITESPACE:
                break
        armored = looks_armored(prefix)
        src = _Prefixed(prefix, src)  # type: ignore[assignment]
    return ArmorReader(src) if armored else src  # type: ignore[return-value]


def decrypt_stream(
    src: BinaryIO, dst: BinaryIO, identities: Sequence[Identity], *, armored: bool | None = None
) -> None:
    """Decrypt ``src`` to ``dst``; only authenticated chunks are ever written.

    ``armored=None`` detects ASCII armor; True or False forces it. ``dst.write`` receives
    memoryviews of buffers that are reused afterwards: copy them if you keep them. After a
    ``PayloadError`` what was written is a verified but incomplete prefix: discard it.
    """
    source = _open_source(src, armored)
    header = read_header(source)
    file_key = unwrap_file_key(header.stanzas, identities)
    header.verify_mac(file_key)
    nonce = read_nonce(source)
    decrypt_payload(source, dst, file_key, nonce)


def open_payload(ciphertext: bytes, identities: Sequence[Identity]) -> tuple[bytes, bytes, memoryview]:
    """Check the header of a binary age file held in memory: (file key, payload nonce,
    the encrypted payload as a view into ``ciphertext``), ready for ``decrypt_into``."""
    source = io.BytesIO(ciphertext)  # shares a bytes object, no copy
    header = read_header(source)
    file_key = unwrap_file_key(header.stanzas, identities)
    header.verify_mac(file_key)
    nonce = read_nonce(source)
    return file_key, nonce, memoryview(ciphertext)[source.tell() :]


class _Whole:
    """Decrypts the payload straight into one exact-size buffer."""

    def __init__(self, size: int):
        self.out = preallocated(size)
        self.view = self.out.getbuffer()

    def target(self, offset: int, size: int) -> memoryview:
        return self.view[offset : offset + size]

    def accept(self, offset: int, size: int) -> None:
        pass


def decrypt(ciphertext: bytes, identities: Sequence[Identity], *, armored: bool | None = None) -> bytes:
    first = bytes(ciphertext[:1])
    if armored is False or (armored is None and first and first not in WHITESPACE
                            and not looks_armored(first)):
        file_key, nonce, payload = open_payload(ciphertext, identities)
        whole = _Whole(plain_size(len(payload)))
        decrypt_into(payload, file_key, nonce, whole)
        whole.view.release()
        return whole.out.getvalue()
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(ciphertext), out, identities, armored=armored)
    return out.getvalue()


__all__ = ["AgeError", "BufferEncryption", "PlainSink", "PlainSource", "decrypt", "decrypt_into", "decrypt_stream",
           "encrypt", "encrypt_from", "encrypt_stream", "open_payload", "preallocated",
           "unwrap_file_key"]
