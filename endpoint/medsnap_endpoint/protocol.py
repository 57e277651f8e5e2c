"""Wire constants shared by the server and the client (docs/PROTOCOL.md). Permanent strings."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PROTOCOL_VERSION = "1"

HEADER_KEY_ID = "X-MedSnap-Key-Id"
HEADER_TIMESTAMP = "X-MedSnap-Timestamp"
HEADER_NONCE = "X-MedSnap-Nonce"
HEADER_CONTENT_SHA256 = "X-MedSnap-Content-SHA256"
HEADER_SIGNATURE = "X-MedSnap-Signature"
SIGNED_HEADERS = (HEADER_KEY_ID, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_CONTENT_SHA256,
                  HEADER_SIGNATURE)
#: a session token (POST /v1/session): the signature is then an HMAC with the session key
HEADER_SESSION = "X-MedSnap-Session"

REQUEST_CONTEXT = "MEDSNAP-REQUEST-V1"
SESSION_REQUEST_CONTEXT = "MEDSNAP-SESSION-REQUEST-V1"
ENROL_SIGNATURE_CONTEXT = "MEDSNAP-ENROL-SIGN-V1"
ENROL_AGREEMENT_CONTEXT = b"MEDSNAP-ENROL-AGREE-V1"

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

STAFF_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
MESSAGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{64}\Z")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}\Z")

#: why a recipient's app refused a letter it had stored (POST /v1/inbox/{id}/refused): the
#: sender is told this instead of "delivered". Permanent strings, in this order; add at the end.
REFUSAL_REASONS = ("not-for-me", "damaged", "altered", "sender-not-confirmed", "expired",
                   "dated-in-future", "repeat")


def raw_public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(signing_key: Ed25519PublicKey) -> str:
    """A device's key id: lowercase hex SHA-256 of its raw 32-byte Ed25519 public key."""
    return hashlib.sha256(raw_public_bytes(signing_key)).hexdigest()


def code_hash(code: str) -> str:
    """Enrolment codes are stored and signed only as this hash (spaces, dashes, case ignored)."""
    normalised = re.sub(r"[\s-]", "", code).upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def canonical_request(method: str, path: str, query: str, timestamp: str, nonce: str,
                      key_id_hex: str, body_sha256: str, host: str, *,
                      context: str = REQUEST_CONTEXT) -> bytes:
    """The exact bytes a device signs for every authenticated request.

    ``host`` is the Host header as sent (``name`` or ``name:port``, lower case): a request
    signed for one endpoint is refused by another that knows its own names (--public-host).
    ``context``: :data:`SESSION_REQUEST_CONTEXT` for a request signed with a session key.
    """
    return "\n".join([context, method.upper(), path, query, timestamp, nonce,
                      key_id_hex, body_sha256, host.lower()]).encode()


def enrol_signature_payload(challenge_id: str, code_hash_hex: str, nonce: bytes,
                            encryption_key: bytes, signing_key: bytes) -> bytes:
    """What the new device signs with its Ed25519 key to prove it holds it."""
    return "\n".join([ENROL_SIGNATURE_CONTEXT, challenge_id, code_hash_hex, nonce.hex(),
                      encryption_key.hex(), signing_key.hex()]).encode()


def enrol_agreement_proof(shared_secret: bytes, challenge_id: str, code_hash_hex: str,
                          nonce: bytes) -> bytes:
    """HMAC-SHA256 keyed by the X25519 shared secret: proves the device holds its X25519 key."""
    message = "\n".join([challenge_id, code_hash_hex, nonce.hex()]).encode()
    key = hashlib.sha256(ENROL_AGREEMENT_CONTEXT + shared_secret).digest()
    return hmac.new(key, message, hashlib.sha256).digest()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    """Strict base64 decoding; raises ValueError on anything else."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError("not base64") from error
