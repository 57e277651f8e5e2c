"""Short-lived sessions: one Ed25519-signed request buys a key for HMAC-signed requests.

Verifying an Ed25519 signature costs about 85 us of the server's CPU per request (and signing
25 us of the device's); an HMAC-SHA256 about 1.5 us. ``POST /v1/session``, signed with the
device key, carries the device's ephemeral X25519 public key; both sides derive the session key
from an X25519 agreement (:mod:`.session_agreement`), so the key never travels. The token

    ``2.<key id>.<expires_at>.<nonce>.<sealed>``

carries the session key sealed (ChaCha20-Poly1305, ``nonce`` random, the token's head and the
endpoint id as associated data) under the endpoint secret S, so nothing is stored: any serving
process of this endpoint opens the token and finds the key. S = HKDF-SHA256(SHA-256 of the
hospital root's private key PEM, salt = the endpoint id, ``MEDSNAP-SESSION-SECRET-V2``): the
same in every process sharing one database, never stored, different at another endpoint (its
own database, its own random id) under the same root, and unknown to anyone holding a copy of
the database without the CA password. A request signed with the session key carries the token
in ``X-MedSnap-Session``; it is otherwise checked exactly as a device-signed one (timestamp,
Host, nonce never reused, certificate current and clinician enabled - in the database on every
request, so a revocation or a disabled account is refused at once - and the rate limit).
Tokens and session keys are never logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from medsnap_endpoint import session_agreement as agreement
from medsnap_endpoint.ca_service import load_ca
from medsnap_endpoint.errors import Unauthorized
from medsnap_endpoint.storage.base import Database, Transaction

_SECRET_CONTEXT = b"MEDSNAP-SESSION-SECRET-V2"
_SEAL_CONTEXT = "MEDSNAP-SESSION-TOKEN-V2"
_NONCE_BYTES = 12
_SEALED_BYTES = agreement.KEY_BYTES + 16  # the key and Poly1305's tag


@dataclass(frozen=True)
class EndpointSecret:
    """This endpoint's identity and the sealing key derived from it and the root key."""

    endpoint_id: str
    sealer: ChaCha20Poly1305 = field(repr=False)


# database URL -> the endpoint secret (derived once per process from the root key)
_SECRETS: dict[str, EndpointSecret] = {}
_loading = threading.Lock()


class SecretNotLoaded(Exception):
    """``cached_only``: the secret must first be derived (a database read and the root key's
    decryption), off the event loop."""


def refused(reason: str) -> Unauthorized:
    return Unauthorized(f"This request's session was not accepted: {reason}. Nothing was "
                        "changed. Sign a new session with the device key (POST /v1/session).",
                        code="session_refused")


def endpoint_id(database: Database) -> str:
    """This endpoint's random identity: made once per database, shared by its processes."""
    with database.transaction() as tx:
        row = tx.one("SELECT endpoint_id FROM endpoint_identity WHERE id = 1")
    if row:
        return str(row[0])
    with database.transaction(write=True) as tx:  # the first process to need it makes it
        tx.execute("INSERT INTO endpoint_identity (id, endpoint_id, created_at) VALUES "
                   "(1, ?, ?) ON CONFLICT (id) DO NOTHING",
                   (secrets.token_hex(16), int(time.time())))
        row = tx.one("SELECT endpoint_id FROM endpoint_identity WHERE id = 1")
    return str(row[0])  # type: ignore[index]


def new_endpoint_id(tx: Transaction) -> str:
    """Replace this database's endpoint id (``admin new-endpoint-id``): every session opened
    with the old one is refused once the serving processes restart (they cache the secret)."""
    identity = secrets.token_hex(16)
    tx.execute("DELETE FROM endpoint_identity WHERE id = 1")
    tx.execute("INSERT INTO endpoint_identity (id, endpoint_id, created_at) VALUES (1, ?, ?)",
               (identity, int(time.time())))
    return identity


def derive_secret(root_key_pem: bytes, identity: str) -> EndpointSecret:
    key = HKDF(SHA256(), 32, salt=identity.encode(), info=_SECRET_CONTEXT).derive(
        hashlib.sha256(root_key_pem).digest())
    return EndpointSecret(identity, ChaCha20Poly1305(key))


def endpoint_secret(database: Database, *, cached_only: bool = False) -> EndpointSecret:
    secret = _SECRETS.get(database.url)
    if secret is not None:
        return secret
    if cached_only:
        raise SecretNotLoaded
    with _loading:
        if database.url not in _SECRETS:
            identity = endpoint_id(database)
            with database.transaction() as tx:
                root_key = load_ca(tx).key_pem(None)
            _SECRETS[database.url] = derive_secret(root_key, identity)
        return _SECRETS[database.url]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    if not text.isascii():
        raise refused("its token is malformed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise refused("its token is malformed") from None


def _sealing_context(secret: EndpointSecret, head: str) -> bytes:
    return f"{_SEAL_CONTEXT}\n{secret.endpoint_id}\n{head}".encode()


def issue(secret: EndpointSecret, key_id: str, expires_at: int, shared: bytes,
          client_public: bytes, server_public: bytes) -> tuple[str, bytes]:
    """A token for the device key ``key_id`` valid until ``expires_at``, and the session key
    agreed with the device (X25519 ``shared`` secret of the two ephemeral keys)."""
    nonce = os.urandom(_NONCE_BYTES)
    head = f"{agreement.TOKEN_VERSION}.{key_id}.{expires_at}.{_b64url(nonce)}"
    key = agreement.session_key(shared, endpoint_id=secret.endpoint_id, head=head,
                                client_public=client_public, server_public=server_public)
    sealed = secret.sealer.encrypt(nonce, key, _sealing_context(secret, head))
    return f"{head}.{_b64url(sealed)}", key


# (secret, token) -> (key id, expires_at, session key) of tokens opened before: a session
# signs every request of its device for minutes, and opening its token each time (base64,
# ChaCha20-Poly1305) was most of checking a request's HMAC. Keyed by the secret itself, not
# its endpoint id: a restored copy of another database has the id under another root key.
_OPENED: dict[tuple[EndpointSecret, str], tuple[str, int, bytes]] = {}
_OPENED_LIMIT = 4096


def opened(secret: EndpointSecret, token: str, key_id: str, now: int) -> bytes:
    """The session key of a token this endpoint issued to ``key_id``, still valid at ``now``;
    raises the refusal otherwise."""
    known = _OPENED.get((secret, token))
    if known is not None:
        token_key_id, expires_at, key = known
    else:
        token_key_id, expires_at, key = _open(secret, token)
        if len(_OPENED) >= _OPENED_LIMIT:
            _OPENED.clear()
        _OPENED[(secret, token)] = (token_key_id, expires_at, key)
    if not hmac.compare_digest(token_key_id, key_id):
        raise refused("its token belongs to another device key")
    if expires_at <= now:
        raise refused("it has expired")
    return key


def _open(secret: EndpointSecret, token: str) -> tuple[str, int, bytes]:
    """The key id, expiry and session key sealed in a token this endpoint issued."""
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != agreement.TOKEN_VERSION or not parts[2].isascii() \
            or not parts[2].isdigit() or len(parts[2]) > 12:
        raise refused("its token is malformed")
    _version, token_key_id, expires, nonce_text, sealed_text = parts
    nonce, sealed = _unb64url(nonce_text), _unb64url(sealed_text)
    if len(nonce) != _NONCE_BYTES or len(sealed) != _SEALED_BYTES:
        raise refused("its token is malformed")
    try:
        key = secret.sealer.decrypt(nonce, sealed, _sealing_context(
            secret, agreement.token_head(token)))
    except InvalidTag:
        raise refused("its token was not issued by this endpoint") from None
    return token_key_id, int(expires), key


def signature_matches(key: bytes, signature: bytes, canonical: bytes) -> bool:
    return hmac.compare_digest(signature, hmac.digest(key, canonical, "sha256"))
