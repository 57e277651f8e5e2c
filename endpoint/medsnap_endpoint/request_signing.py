"""The five signature headers of an authenticated request (docs/PROTOCOL.md), made in one place.

Every MedSnap client signs through :func:`signature_headers` (or, with a session key,
:func:`session_headers`): the endpoint client (app, tests,
benchmarks) and the test tools that send requests by other means (curl, a fuzzer). The signing
key is anything with ``sign(bytes) -> bytes`` (an Ed25519 private key, or the key agent's
stand-in), so the bytes signed are the protocol's and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import BinaryIO, Protocol

from medsnap_endpoint import protocol as p

#: how much of a file body is read at a time, to hash it and to send it
FILE_BLOCK = 256 * 1024


class Signer(Protocol):
    def sign(self, data: bytes) -> bytes: ...


def signature_headers(signing_key: Signer, key_id: str, method: str, target: str, query: str,
                      host: str, body_sha256: str, *, nonce: str | None = None,
                      timestamp: int | None = None) -> dict[str, str]:
    """The headers that authenticate one request; ``target`` and ``query`` exactly as sent."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(18)
    signature = signing_key.sign(p.canonical_request(method, target, query, stamp, nonce,
                                                     key_id, body_sha256, host))
    return {p.HEADER_KEY_ID: key_id, p.HEADER_TIMESTAMP: stamp, p.HEADER_NONCE: nonce,
            p.HEADER_CONTENT_SHA256: body_sha256, p.HEADER_SIGNATURE: p.b64(signature)}


def session_headers(token: str, session_key: bytes, key_id: str, method: str, target: str,
                    query: str, host: str, body_sha256: str, *, nonce: str | None = None,
                    timestamp: int | None = None) -> dict[str, str]:
    """The headers of a request signed with a session key (POST /v1/session): the same
    canonical request under its own context, HMAC-SHA256 instead of Ed25519, and the token."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(18)
    signature = hmac.digest(session_key, p.canonical_request(
        method, target, query, stamp, nonce, key_id, body_sha256, host,
        context=p.SESSION_REQUEST_CONTEXT), "sha256")
    return {p.HEADER_KEY_ID: key_id, p.HEADER_TIMESTAMP: stamp, p.HEADER_NONCE: nonce,
            p.HEADER_CONTENT_SHA256: body_sha256, p.HEADER_SIGNATURE: p.b64(signature),
            p.HEADER_SESSION: token}


def file_sha256(file: BinaryIO) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file from its current position, which is restored after."""
    start, digest, size = file.tell(), hashlib.sha256(), 0
    while block := file.read(FILE_BLOCK):
        digest.update(block)
        size += len(block)
    file.seek(start)
    return digest.hexdigest(), size
