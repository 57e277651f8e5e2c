"""In-memory age encryption/decryption (one exact-size buffer) against the streaming path."""

from __future__ import annotations

import io
import os
import tracemalloc

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from medsnap.crypto import age
from medsnap.crypto.age.stream import CHUNK, ENC_CHUNK

KEY = X25519PrivateKey.generate()
IDENTITIES = [age.X25519Identity(KEY)]
RECIPIENTS = [age.X25519Recipient(KEY.public_key())]


def _verdict(decrypt, data: bytes):
    try:
        return decrypt(data)
    except age.AgeError as exc:
        return type(exc), str(exc)


def _streamed(data: bytes) -> bytes:
    out = io.BytesIO()
    age.decrypt_stream(io.BytesIO(data), out, IDENTITIES)
    return out.getvalue()


def test_buffer_and_stream_agree_on_every_cut_and_flip():
    for size in (0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5):
        plain = os.urandom(size)
        sealed = age.encrypt(plain, RECIPIENTS)
        streamed = io.BytesIO()
        age.encrypt_stream(io.BytesIO(plain), streamed, RECIPIENTS)
        assert len(sealed) == len(streamed.getvalue())
        assert age.decrypt(sealed, IDENTITIES) == plain == _streamed(sealed)
        body = sealed.index(b"\n--- ") + 60
        variants = [sealed[:n] for n in {body, body + 16, len(sealed) - 1, len(sealed) - 17,
                                         len(sealed) - ENC_CHUNK, len(sealed) - ENC_CHUNK - 1}
                    if 0 < n < len(sealed)]
        variants += [sealed[:at] + bytes([sealed[at] ^ 4]) + sealed[at + 1:]
                     for at in (body + 3, len(sealed) - 1) if at < len(sealed)]
        variants.append(sealed + os.urandom(20))
        variants.append(sealed + age.encrypt(b"x", RECIPIENTS)[-(17 + 1):])
        for data in variants:
            verdict = _verdict(lambda d: age.decrypt(d, IDENTITIES), data)
            assert isinstance(verdict, tuple), len(data)
            assert verdict == _verdict(_streamed, data)


def test_buffers_hold_one_copy():
    plain = os.urandom(8_000_000)
    tracemalloc.start()
    try:
        sealed = age.encrypt(plain, RECIPIENTS)
        encrypt_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        opened = age.decrypt(sealed, IDENTITIES)
        decrypt_peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert opened == plain
    assert encrypt_peak < 1.05 * len(plain) and decrypt_peak < 1.05 * len(plain)
