"""Request authentication: every clinician request is signed by the device's Ed25519 key.

The signed bytes are :func:`medsnap_endpoint.protocol.canonical_request`. A request is refused
when a header is missing or malformed, the timestamp is more than the allowed skew away from
the server clock, the Host is not one of this endpoint's names, the nonce was seen before for
that key, the key belongs to no current signing certificate of an enabled clinician, or the
signature does not verify. The body's SHA-256 is signed as a header and checked against the
body as it is read. The signature is checked before any write; the certificate, nonce and
rate limit then take one short transaction.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from starlette.requests import Request
from starlette.types import Scope

from medsnap_endpoint import protocol as p
from medsnap_endpoint import sessions
from medsnap_endpoint.ca_service import load_certificate
from medsnap_endpoint.errors import EndpointError, RateLimited, Unauthorized
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database, Transaction


@dataclass(frozen=True)
class Caller:
    staff_id: str
    key_id: str


# key id -> public key. A key id is the SHA-256 of the key itself, so an entry never goes
# stale; whether the key may still sign (certificate current, clinician enabled) is checked
# in the database on every request.
_KEYS: dict[str, Ed25519PublicKey] = {}
_KEYS_LIMIT = 4096


class KeyNotCached(Exception):
    """:func:`verify_signature` with ``cached_only``: the key must first be read from the
    database (the request's first of this key in this process); nothing was refused."""


def _public_key(database: Database, key_id: str, cached_only: bool = False
                ) -> Ed25519PublicKey | None:
    key = _KEYS.get(key_id)
    if key is not None:
        return key
    if cached_only:
        raise KeyNotCached
    with database.transaction() as tx:
        row = tx.one("SELECT pem FROM certificates WHERE key_id = ? AND usage = 'signing' "
                     "LIMIT 1", (key_id,))
    if row is None:
        return None
    key = load_certificate(str(row[0])).public_key()
    if not isinstance(key, Ed25519PublicKey) or p.key_id(key) != key_id:
        return None
    if len(_KEYS) >= _KEYS_LIMIT:
        _KEYS.clear()
    _KEYS[key_id] = key
    return key


_NOT_ENROLLED = "its key is not enrolled or its certificate was revoked"
_DISABLED = "this clinician's account is disabled"
_REPLAYED = "it repeats an earlier request (replayed nonce)"


class KeyRefused(Unauthorized):
    """A valid signature by a key that may no longer sign (certificate revoked or expired,
    clinician disabled): the refusal is audited (:mod:`.refusal_audit`)."""

    def __init__(self, message: str, verified: Verified):
        super().__init__(message, code="unauthorized")
        self.verified = verified


_SIGN_IN_AGAIN = "Sign in again on this workstation; if it persists, ask IT."
# signing in again cannot help a disabled account (the app shows this text as it is)
_ONLY_IT = "Signing in again will not help: only IT can enable the account again."


def _refuse(reason: str, what_to_do: str = _SIGN_IN_AGAIN) -> Unauthorized:
    return Unauthorized(f"This request was not accepted: {reason}. Nothing was changed. "
                        f"{what_to_do}", code="unauthorized")


def _refuse_key(reason: str, verified: Verified) -> KeyRefused:
    what_to_do = _ONLY_IT if reason == _DISABLED else _SIGN_IN_AGAIN
    return KeyRefused(_refuse(reason, what_to_do).message, verified)


_SIGNED_NAMES = tuple(name.lower() for name in p.SIGNED_HEADERS)
_SESSION = p.HEADER_SESSION.lower()


@dataclass(frozen=True)
class Verified:
    """A request whose signature checked out, not yet admitted (certificate, nonce, rate)."""

    key_id: str
    nonce: str
    now: int
    #: signed with a session key (:mod:`.sessions`) rather than the device's Ed25519 key
    session: bool = False


def signed_target(scope: Scope) -> tuple[str, str]:
    """The path and query exactly as sent on the wire (what the client signed)."""
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    return path, scope.get("query_string", b"").decode("latin-1")


def addressed_host(headers: Mapping[str, str], settings: Settings) -> str:
    """The Host the request was sent to; refused if this endpoint does not answer to it."""
    host = (headers.get("host") or "").lower()
    if not host:
        raise _refuse("it names no Host")
    if settings.public_hosts and host not in settings.public_hosts \
            and host.rsplit(":", 1)[0] not in settings.public_hosts:
        raise _refuse(f"it was addressed to {host!r}, which is not this endpoint "
                      "(check the endpoint address in the settings)")
    return host


def verify_signature(scope: Scope, headers: Mapping[str, str], database: Database,
                     settings: Settings, *, cached_only: bool = False) -> Verified:
    """Every check that needs no write: headers, clock, Host, enrolled key, signature.

    ``headers`` is looked up by lower-case name (a Starlette ``Headers`` or a plain dict).
    ``cached_only`` (on the event loop): raise :class:`KeyNotCached` rather than read the
    key from the database.
    """
    key_id, stamp, nonce, body_sha, signature_text = (
        headers.get(name) or "" for name in _SIGNED_NAMES)
    missing = [name for name, value in zip(p.SIGNED_HEADERS, (
        key_id, stamp, nonce, body_sha, signature_text)) if not value]
    if missing:
        raise _refuse(f"it is not signed (missing {', '.join(missing)})")
    if not p.KEY_ID_PATTERN.match(key_id) or not p.NONCE_PATTERN.match(nonce) \
            or not p.SHA256_PATTERN.match(body_sha) or not (stamp.isascii() and stamp.isdigit()) \
            or len(stamp) > 12:
        raise _refuse("its signature headers are malformed")
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse("its signature is not base64") from None
    now = int(time.time())
    if abs(now - int(stamp)) > settings.max_clock_skew_seconds:
        raise _refuse("its timestamp is too far from the server's clock "
                      "(check this workstation's date and time)")
    host = addressed_host(headers, settings)
    path, query = signed_target(scope)
    token = headers.get(_SESSION)
    if token is not None:  # signed with a session key (.sessions), not the device key
        try:
            secret = sessions.endpoint_secret(database, cached_only=cached_only)
        except sessions.SecretNotLoaded:
            raise KeyNotCached from None
        session_key = sessions.opened(secret, token, key_id, now)
        if not sessions.signature_matches(session_key, signature, p.canonical_request(
                scope["method"], path, query, stamp, nonce, key_id, body_sha, host,
                context=p.SESSION_REQUEST_CONTEXT)):
            raise _refuse("its signature does not match")
        return Verified(key_id, nonce, now, session=True)
    key = _public_key(database, key_id, cached_only)
    if key is None:
        raise _refuse(_NOT_ENROLLED)
    try:
        key.verify(signature, p.canonical_request(scope["method"], path, query, stamp, nonce,
                                                  key_id, body_sha, host))
    except InvalidSignature:
        raise _refuse("its signature does not match") from None
    return Verified(key_id, nonce, now)


def authenticate(request: Request, database: Database, settings: Settings) -> Caller:
    """Verify the signature, then admit the request in a short transaction of its own."""
    verified = verify_signature(request.scope, request.headers, database, settings)
    try:
        return admit(database, verified, settings)
    except KeyRefused as refusal:
        audit_refusal(database, settings, refusal, request.scope)
        raise


def audit_refusal(database: Database, settings: Settings, refusal: KeyRefused,
                  scope: Scope) -> None:
    """The audit row of a request refused by :func:`admit` for its signing key."""
    from medsnap_endpoint import refusal_audit

    refusal_audit.record(database, settings, refusal.verified, method=scope["method"],
                         path=signed_target(scope)[0],
                         nonce_expiry=_nonce_expiry(refusal.verified, settings))


_VALID_CERTIFICATE = (
    "SELECT c.staff_id, k.enabled FROM certificates c "
    "JOIN clinicians k ON k.staff_id = c.staff_id WHERE c.key_id = ? "
    "AND c.usage = 'signing' AND c.revoked_at IS NULL AND c.not_after > ?")
_NEW_NONCE = ("INSERT INTO request_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?) "
              "ON CONFLICT DO NOTHING")
_COUNT_REQUEST = (
    "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.window_start = excluded.window_start "
    "THEN rate_limits.hits + 1 ELSE 1 END, "
    "window_start = excluded.window_start RETURNING hits")
# PostgreSQL: the same three steps as one statement, its own transaction (one round trip);
# the nonce is stored only for a valid, enabled key and the request counted only if it is new
_ADMIT_POSTGRESQL = (
    f"WITH cert AS ({_VALID_CERTIFICATE} LIMIT 1), "
    "fresh AS (INSERT INTO request_nonces (key_id, nonce, expires_at) "
    "SELECT ?, ?, ? FROM cert WHERE cert.enabled <> 0 ON CONFLICT DO NOTHING RETURNING 1), "
    "counted AS (INSERT INTO rate_limits (bucket, window_start, hits) "
    "SELECT 'staff:' || cert.staff_id, ?, 1 FROM cert, fresh "
    + _COUNT_REQUEST[_COUNT_REQUEST.index("ON CONFLICT"):] + ") "
    "SELECT cert.staff_id, cert.enabled, (SELECT COUNT(*) FROM fresh), "
    "(SELECT hits FROM counted) FROM cert")


def admit(database: Database, verified: Verified, settings: Settings) -> Caller:
    """The key may still sign, the nonce is new, the request is counted: one transaction
    (PostgreSQL: one statement). Raises the refusal otherwise."""
    if database.dialect == "postgresql":
        window = verified.now - verified.now % 60
        rows = database.single(_ADMIT_POSTGRESQL, (
            verified.key_id, verified.now, verified.key_id, verified.nonce,
            _nonce_expiry(verified, settings), window), write=True)
        staff_id, enabled, fresh, hits = rows[0] if rows else (None, 0, 0, None)
        verdict = _verdict(verified, settings, None if staff_id is None else str(staff_id),
                           bool(int(enabled)), bool(fresh),
                           None if hits is None else int(hits))
    else:
        with database.transaction(write=True, durable=False) as tx:
            verdict = admit_within(tx, verified, settings)
    if isinstance(verdict, EndpointError):
        raise verdict
    return verdict


def admit_within(tx: Transaction, verified: Verified, settings: Settings
                 ) -> Caller | EndpointError:
    """:func:`admit` inside the caller's write transaction (SQLite), so that the request's
    own work can share it. A refusal that wrote nothing is raised; a rate-limited request is
    returned as its refusal, to be raised once its nonce and count are committed."""
    row = tx.one(_VALID_CERTIFICATE, (verified.key_id, verified.now))
    if row is None:
        raise _refuse_key(_NOT_ENROLLED, verified)
    if not int(row[1]):
        raise _refuse_key(_DISABLED, verified)
    if tx.run(_NEW_NONCE, (verified.key_id, verified.nonce,
                           _nonce_expiry(verified, settings))) == 0:
        raise _refuse(_REPLAYED)
    window = verified.now - verified.now % 60
    hits = tx.one(_COUNT_REQUEST, (f"staff:{row[0]}", window))
    return _verdict(verified, settings, str(row[0]), True, True,
                    int(hits[0]) if hits else None)


def admission_params(verified: Verified, settings: Settings) -> tuple[str, str, int, int, int, int]:
    """What the PostgreSQL route functions (:mod:`.storage.pg_functions`) admit a request
    with: key id, nonce, now, the nonce's expiry, the rate window and its limit."""
    window = verified.now - verified.now % 60
    return (verified.key_id, verified.nonce, verified.now, _nonce_expiry(verified, settings),
            window, settings.requests_per_minute)


def admitted_caller(verified: Verified, settings: Settings, staff_id: str | None,
                    enabled: int | None, fresh: bool, hits: int | None) -> Caller:
    """The caller a route function admitted (its verdict columns), or raise its refusal."""
    verdict = _verdict(verified, settings, None if staff_id is None else str(staff_id),
                       bool(int(enabled or 0)), bool(fresh), None if hits is None else int(hits))
    if isinstance(verdict, EndpointError):
        raise verdict
    return verdict


def _nonce_expiry(verified: Verified, settings: Settings) -> int:
    return verified.now + 2 * settings.max_clock_skew_seconds + 60


def _verdict(verified: Verified, settings: Settings, staff_id: str | None, enabled: bool,
             fresh: bool, hits: int | None) -> Caller | EndpointError:
    if staff_id is None:
        return _refuse_key(_NOT_ENROLLED, verified)
    if not enabled:
        return _refuse_key(_DISABLED, verified)
    if not fresh:
        return _refuse(_REPLAYED)
    if hits is not None and hits > settings.requests_per_minute:
        now = verified.now
        window = now - now % 60
        return RateLimited("Too many requests from this clinician; nothing was changed. "
                           "Try again in a minute.", retry_after=window + 60 - now)
    return Caller(staff_id=staff_id, key_id=verified.key_id)
