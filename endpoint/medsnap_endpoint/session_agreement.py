"""The session key both sides derive (docs/PROTOCOL.md, "Session keys"); it never travels.

The device sends an ephemeral X25519 public key in its device-signed ``POST /v1/session``; the
endpoint answers with its own ephemeral public key, the token and a key confirmation. Each side
derives the session key with HKDF-SHA256 from the X25519 shared secret, bound to the endpoint's
identity, the token's head (everything but its sealed part) and both ephemeral public keys.
Someone who recorded the exchange (a proxy's body log) holds neither private key, so cannot.
"""

from __future__ import annotations

import hmac

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from medsnap_endpoint import protocol as p

TOKEN_VERSION = "2"
KEY_CONTEXT = "MEDSNAP-SESSION-KEY-V2"
CONFIRM_CONTEXT = "MEDSNAP-SESSION-CONFIRM-V2"
KEY_BYTES = 32


class UnusableEphemeralKey(ValueError):
    """The peer's ephemeral public key is not 32 bytes, or is a low-order point (the shared
    secret would be all zeros, known to anyone)."""


def shared_secret(own: X25519PrivateKey, peer_public: bytes) -> bytes:
    if len(peer_public) != 32:
        raise UnusableEphemeralKey("an X25519 public key is 32 bytes")
    try:  # cryptography refuses an all-zero result (a low-order peer key)
        return own.exchange(X25519PublicKey.from_public_bytes(peer_public))
    except ValueError:
        raise UnusableEphemeralKey("a low-order X25519 public key") from None


def token_head(token: str) -> str:
    """``2.KEY-ID.EXPIRES-AT.NONCE``: the token without its sealed session key."""
    return token.rsplit(".", 1)[0]


def session_key(shared: bytes, *, endpoint_id: str, head: str, client_public: bytes,
                server_public: bytes) -> bytes:
    """``head``: :func:`token_head` of the token (its sealed part holds this very key)."""
    info = "\n".join([KEY_CONTEXT, endpoint_id, head, client_public.hex(),
                      server_public.hex()]).encode()
    return HKDF(SHA256(), KEY_BYTES, salt=None, info=info).derive(shared)


def confirmation(key: bytes, token: str) -> bytes:
    """Proves to the device that the endpoint derived the same key (HMAC, reveals nothing)."""
    return hmac.digest(key, f"{CONFIRM_CONTEXT}\n{token}".encode(), "sha256")


def public_bytes(key: X25519PrivateKey) -> bytes:
    return p.raw_public_bytes(key.public_key())
