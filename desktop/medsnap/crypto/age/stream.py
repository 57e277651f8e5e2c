"""The age payload: STREAM ChaCha20-Poly1305 in 64 KiB chunks, in constant memory.

Data moves through two preallocated buffers of ``BATCH`` chunks; the AEAD object and the
buffers are reused, so the per-chunk Python work is a nonce and two calls. Decryption only
ever writes chunks whose tag has been verified.
"""

from __future__ import annotations

import os
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from .errors import HeaderError, PayloadError
from .header import hkdf_sha256

CHUNK = 64 * 1024
TAG = 16
ENC_CHUNK = CHUNK + TAG
NONCE_SIZE = 16
BATCH = 16  # chunks per read/write: 1 MiB, large enough to amortise system calls


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _fill(src: BinaryIO, view: memoryview, start: int) -> tuple[int, bool]:
    """Fill ``view`` from ``start``; return (bytes now held, whether the source ended)."""
    pos, end = start, len(view)
    readinto = getattr(src, "readinto", None)
    while pos < end:
        if readinto is not None:
            got = readinto(view[pos:])
        else:
            data = src.read(end - pos)
            got = len(data)
            view[pos : pos + got] = data
        if not got:
            return pos, True
        pos += got
    return pos, False


def payload_aead(file_key: bytes, nonce: bytes) -> ChaCha20Poly1305:
    return ChaCha20Poly1305(hkdf_sha256(file_key, nonce, b"payload"))


def encrypt_payload(src: BinaryIO, dst: BinaryIO, file_key: bytes) -> None:
    nonce = os.urandom(NONCE_SIZE)
    dst.write(nonce)
    aead = payload_aead(file_key, nonce)
    plain = bytearray(BATCH * CHUNK)
    sealed = bytearray(BATCH * ENC_CHUNK)
    pview, sview = memoryview(plain), memoryview(sealed)
    counter, held = 0, 0
    while True:
        held, ended = _fill(src, pview, held)
        # The last chunk in the buffer is final only if the source ended; otherwise keep it.
        count = max(1, -(-held // CHUNK)) if ended else BATCH - 1
        out = 0
        for index in range(count):
            piece = pview[index * CHUNK : min(held, (index + 1) * CHUNK)]
            final = ended and index == count - 1
            size = len(piece) + TAG
            aead.encrypt_into(_nonce(counter, final), piece, None, sview[out : out + size])
            out += size
            counter += 1
        dst.write(sview[:out])
        if ended:
            return
        pview[:CHUNK] = pview[(BATCH - 1) * CHUNK : BATCH * CHUNK]
        held = CHUNK


def read_nonce(src: BinaryIO) -> bytes:
    nonce = src.read(NONCE_SIZE)
    while len(nonce) < NONCE_SIZE:
        more = src.read(NONCE_SIZE - len(nonce))
        if not more:
            raise HeaderError("the file ends before the payload nonce")
        nonce += more
    return nonce


class _Opener:
    """Decrypts consecutive chunks into a batch buffer, tracking the chunk counter."""

    def __init__(self, aead: ChaCha20Poly1305):
        self.aead = aead
        self.counter = 0
        self.plain = bytearray(BATCH * CHUNK)
        self.view = memoryview(self.plain)
        self.held = 0

    def open(self, sealed: memoryview, final: bool) -> bool:
        size = len(sealed) - TAG
        target = self.view[self.held : self.held + size]
        try:
            self.aead.decrypt_into(_nonce(self.counter, final), sealed, None, target)
        except InvalidTag:
            return False
        self.held += size
        self.counter += 1
        return True

    def release(self, dst: BinaryIO) -> None:
        if self.held:
            dst.write(self.view[: self.held])
        self.held = 0


def decrypt_payload(src: BinaryIO, dst: BinaryIO, file_key: bytes, nonce: bytes) -> None:
    opener = _Opener(payload_aead(file_key, nonce))
    sealed = bytearray(BATCH * ENC_CHUNK)
    view = memoryview(sealed)
    held = 0
    while True:
        held, ended = _fill(src, view, held)
        # A chunk followed by more data must be a middle (non-final) chunk.
        start = 0
        while held - start > ENC_CHUNK:
            if not opener.open(view[start : start + ENC_CHUNK], final=False):
                # A valid final chunk here is genuine, so it is released (as age does),
                # but whatever follows it is not.
                if opener.open(view[start : start + ENC_CHUNK], final=True):
                    opener.release(dst)
                    raise PayloadError("there is data after the final chunk")
                opener.release(dst)
                raise PayloadError(f"chunk {opener.counter} failed authentication")
            start += ENC_CHUNK
        if not ended:
            opener.release(dst)
            view[: held - start] = view[start:held]
            held -= start
            continue
        _open_last(opener, view[start:held], dst)
        return


def _open_last(opener: _Opener, sealed: memoryview, dst: BinaryIO) -> None:
    if len(sealed) == 0:
        opener.release(dst)
        if opener.counter == 0:
            raise PayloadError("the file has no encrypted content at all")
        raise PayloadError("the file was cut short (no final chunk)")
    if len(sealed) < TAG:
        opener.release(dst)
        raise PayloadError("the file was cut short inside a chunk")
    if len(sealed) == TAG and opener.counter > 0:
        opener.release(dst)
        raise PayloadError("the final chunk is empty, which the format forbids")
    if opener.open(sealed, final=True):
        opener.release(dst)
        return
    if len(sealed) == ENC_CHUNK and opener.open(sealed, final=False):
        opener.release(dst)
        raise PayloadError("the file was cut short (no final chunk)")
    opener.release(dst)
    raise PayloadError(f"chunk {opener.counter} failed authentication")


# --- Whole payloads held in memory: no read buffers, no output copies. -------------------------


def sealed_size(plain_size: int) -> int:
    """Bytes of nonce and payload that ``plain_size`` bytes of plaintext encrypt to."""
    return NONCE_SIZE + plain_size + max(1, -(-plain_size // CHUNK)) * TAG


def plain_size(payload_size: int) -> int:
    """Plaintext size of a well-formed payload of ``payload_size`` bytes (after the nonce).

    A malformed payload still gets an answer; decryption then refuses it.
    """
    full, rest = divmod(payload_size, ENC_CHUNK)
    return full * CHUNK + max(0, rest - TAG)


class PlainSource(Protocol):
    def plain(self, offset: int, size: int) -> memoryview:
        """The plaintext bytes ``[offset, offset + size)`` (valid until the next call)."""


class PlainSink(Protocol):
    def target(self, offset: int, size: int) -> memoryview:
        """Where to decrypt the ``size`` bytes of plaintext starting at ``offset``."""

    def accept(self, offset: int, size: int) -> None:
        """The chunk just decrypted into ``target(offset, size)`` is authenticated."""


class PayloadSealer:
    """Encrypts ``size`` bytes of plaintext into ``out`` (nonce first), chunks in any order.

    Every chunk's place and nonce follow from its index alone, so independent parts of the
    plaintext can be encrypted as soon as they are known.
    """

    def __init__(self, file_key: bytes, size: int, out: memoryview):
        nonce = os.urandom(NONCE_SIZE)
        out[:NONCE_SIZE] = nonce
        self._aead = payload_aead(file_key, nonce)
        self._out, self.size = out, size
        self.count = max(1, -(-size // CHUNK))

    def chunks_from(self, offset: int) -> range:
        """The chunks holding nothing before plaintext ``offset``."""
        return range(min(self.count, -(-offset // CHUNK)), self.count)

    def seal(self, source: PlainSource, chunks: range) -> None:
        last = self.count - 1
        for counter in chunks:
            start = counter * CHUNK
            piece = min(CHUNK, self.size - start)
            place = NONCE_SIZE + start + counter * TAG
            self._aead.encrypt_into(_nonce(counter, counter == last),
                                    source.plain(start, piece), None,
                                    self._out[place : place + piece + TAG])


def encrypt_into(source: PlainSource, size: int, out: memoryview, file_key: bytes) -> None:
    """Encrypt ``size`` plaintext bytes chunk by chunk straight into ``out`` (nonce first)."""
    sealer = PayloadSealer(file_key, size, out)
    sealer.seal(source, range(sealer.count))


def decrypt_into(payload: memoryview, file_key: bytes, nonce: bytes, sink: PlainSink) -> None:
    """Decrypt a whole payload held in memory, refusing exactly what ``decrypt_payload`` does.

    Each chunk is decrypted where ``sink.target`` says and handed to ``sink.accept`` only once
    its tag has been verified; on any ``PayloadError`` the sink must discard what it holds.
    """
    aead = payload_aead(file_key, nonce)
    held, start, counter = len(payload), 0, 0

    def open_chunk(sealed: memoryview, final: bool) -> bool:
        size = len(sealed) - TAG
        try:
            aead.decrypt_into(_nonce(counter, final), sealed, None,
                              sink.target(counter * CHUNK, size))
        except InvalidTag:
            return False
        sink.accept(counter * CHUNK, size)
        return True

    while held - start > ENC_CHUNK:  # a chunk followed by more data must be a middle chunk
        sealed = payload[start : start + ENC_CHUNK]
        if not open_chunk(sealed, final=False):
            if open_chunk(sealed, final=True):
                raise PayloadError("there is data after the final chunk")
            raise PayloadError(f"chunk {counter} failed authentication")
        start += ENC_CHUNK
        counter += 1
    last = payload[start:held]
    if len(last) == 0:
        if counter == 0:
            raise PayloadError("the file has no encrypted content at all")
        raise PayloadError("the file was cut short (no final chunk)")
    if len(last) < TAG:
        raise PayloadError("the file was cut short inside a chunk")
    if len(last) == TAG and counter > 0:
        raise PayloadError("the final chunk is empty, which the format forbids")
    if open_chunk(last, final=True):
        return
    if len(last) == ENC_CHUNK and open_chunk(last, final=False):
        raise PayloadError("the file was cut short (no final chunk)")
    raise PayloadError(f"chunk {counter} failed authentication")
