"""Short-lived sessions: one Ed25519-signed request buys a key for HMAC-signed requests.

Verifying an Ed25519 signature costs about 85 us of the server's CPU per request (and signing
25 us of the device's); an HMAC-SHA256 about 1.5 us. ``POST /v1/session``, signed with the
device key, returns a token and a session key:

* the token ``1.<key id>.<expires_at>.<mac>`` names the device key and its expiry, and
  ``mac`` = HMAC-SHA256(endpoint secret, ``MEDSNAP-SESSION-V1\\n<key id>\\n<expires_at>``);
* the session key is HMAC-SHA256(endpoint secret, ``MEDSNAP-SESSION-KEY-V1\\n<token>``).

Nothing is stored: any serving process recomputes both from the token. The endpoint secret is
derived from the hospital root's private key (HMAC-SHA256 of ``MEDSNAP-SESSION-SECRET-V1`` keyed
by SHA-256 of its PEM), so it is the same in every process, is never stored, and a copy of the
database without the CA password cannot mint sessions. A request signed with the session key
carries the token in ``X-MedSnap-Session``; it is otherwise checked exactly as a
device-signed one (timestamp, Host, nonce never reused, certificate current and clinician
enabled - in the database on every request, so a revocation or a disabled account is refused
at once - and the rate limit). Tokens and session keys are never logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading

from medsnap_endpoint.ca_service import load_ca
from medsnap_endpoint.errors import Unauthorized
from medsnap_endpoint.storage.base import Database

_SECRET_CONTEXT = b"MEDSNAP-SESSION-SECRET-V1"
_TOKEN_CONTEXT = "MEDSNAP-SESSION-V1"
_KEY_CONTEXT = "MEDSNAP-SESSION-KEY-V1"
TOKEN_VERSION = "1"

# database URL -> the endpoint secret (derived once per process from the root key)
_SECRETS: dict[str, bytes] = {}
_loading = threading.Lock()


class SecretNotLoaded(Exception):
    """``cached_only``: the secret must first be derived (a database read and the root key's
    decryption), off the event loop."""


def refused(reason: str) -> Unauthorized:
    return Unauthorized(f"This request's session was not accepted: {reason}. Nothing was "
                        "changed. Sign a new session with the device key (POST /v1/session).",
                        code="session_refused")


def endpoint_secret(database: Database, *, cached_only: bool = False) -> bytes:
    secret = _SECRETS.get(database.url)
    if secret is not None:
        return secret
    if cached_only:
        raise SecretNotLoaded
    with _loading:
        if database.url not in _SECRETS:
            with database.transaction() as tx:
                root_key = load_ca(tx).key_pem(None)
            _SECRETS[database.url] = hmac.digest(hashlib.sha256(root_key).digest(),
                                                 _SECRET_CONTEXT, "sha256")
        return _SECRETS[database.url]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token_mac(secret: bytes, key_id: str, expires_at: int) -> bytes:
    return hmac.digest(secret, f"{_TOKEN_CONTEXT}\n{key_id}\n{expires_at}".encode(), "sha256")


def session_key(secret: bytes, token: str) -> bytes:
    return hmac.digest(secret, f"{_KEY_CONTEXT}\n{token}".encode(), "sha256")


def issue(secret: bytes, key_id: str, expires_at: int) -> tuple[str, bytes]:
    """A token for the device key ``key_id`` valid until ``expires_at``, and its session key."""
    mac = _b64url(_token_mac(secret, key_id, expires_at))
    token = f"{TOKEN_VERSION}.{key_id}.{expires_at}.{mac}"
    return token, session_key(secret, token)


def opened(secret: bytes, token: str, key_id: str, now: int) -> bytes:
    """The session key of a token this endpoint issued to ``key_id``, still valid at ``now``;
    raises the refusal otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != TOKEN_VERSION or not parts[2].isascii() \
            or not parts[2].isdigit() or len(parts[2]) > 12:
        raise refused("its token is malformed")
    _version, token_key_id, expires, mac_text = parts
    try:
        mac = base64.urlsafe_b64decode(mac_text + "=" * (-len(mac_text) % 4))
    except (binascii.Error, ValueError):
        raise refused("its token is malformed") from None
    if not hmac.compare_digest(mac, _token_mac(secret, token_key_id, int(expires))):
        raise refused("its token was not issued by this endpoint")
    if token_key_id != key_id:
        raise refused("its token belongs to another device key")
    if int(expires) <= now:
        raise refused("it has expired")
    return session_key(secret, token)


def signature_matches(key: bytes, signature: bytes, canonical: bytes) -> bool:
    return hmac.compare_digest(signature, hmac.digest(key, canonical, "sha256"))
