"""Enrolment: a new device proves it holds both private keys, redeems its one-time code once,
and receives its two certificates (protocol: docs/PROTOCOL.md, "Enrolment").

1. ``start``: the device sends its staff id, code and both public keys. The server checks the
   code, makes an ephemeral X25519 key and a random nonce, and keeps the expected answer.
2. ``finish``: the device answers with (a) HMAC-SHA256 keyed by the X25519 shared secret between
   its encryption key and the server's ephemeral key (only the holder of the X25519 private key
   can compute it) and (b) an Ed25519 signature over the challenge, the code hash and both keys.
   The code is then redeemed atomically (a second redemption finds it used) and the pair issued.
"""

from __future__ import annotations

import hmac
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding

from medsnap.crypto.certificates import ClinicianIdentity
from medsnap_endpoint import audit, ca_service
from medsnap_endpoint import protocol as p
from medsnap_endpoint.errors import BadRequest, Forbidden, Gone, Unauthorized
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database, Transaction

_CODE_REFUSED = ("This enrolment code is not valid for this staff id, has expired or was "
                 "already used. Nothing was changed. Ask IT for a new code.")


def _check_code(tx: Transaction, staff_id: str, hashed: str, now: int) -> None:
    row = tx.one("SELECT staff_id, expires_at, redeemed_at FROM enrolment_codes "
                 "WHERE code_hash = ?", (hashed,))
    if row is None or row[0] != staff_id or int(row[1]) <= now or row[2] is not None:
        raise Unauthorized(_CODE_REFUSED, code="enrolment_code_refused")


def start(database: Database, settings: Settings, *, staff_id: str, code: str,
          encryption_key: bytes, signing_key: bytes) -> dict:
    try:
        client_x25519 = X25519PublicKey.from_public_bytes(encryption_key)
        Ed25519PublicKey.from_public_bytes(signing_key)
    except ValueError:
        raise BadRequest("The public keys must be raw 32-byte X25519 and Ed25519 keys.") from None
    hashed, now = p.code_hash(code), int(time.time())
    challenge_id, nonce = secrets.token_urlsafe(24), secrets.token_bytes(32)
    server_key = X25519PrivateKey.generate()
    try:
        shared = server_key.exchange(client_x25519)
    except ValueError:
        raise BadRequest("The encryption key is not a usable X25519 key.") from None
    expected = p.enrol_agreement_proof(shared, challenge_id, hashed, nonce)
    with database.transaction(write=True) as tx:
        _check_code(tx, staff_id, hashed, now)
        tx.execute("INSERT INTO enrolment_challenges (challenge_id, code_hash, encryption_key, "
                   "signing_key, nonce, expected_proof, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (challenge_id, hashed, encryption_key, signing_key, nonce, expected,
                    now + settings.challenge_seconds))
    return {"challenge_id": challenge_id,
            "server_public_key": p.b64(p.raw_public_bytes(server_key.public_key())),
            "nonce": p.b64(nonce), "expires_at": now + settings.challenge_seconds}


def finish(database: Database, settings: Settings, *, challenge_id: str,
           agreement_proof: bytes, signature: bytes) -> dict:
    now = int(time.time())
    with database.transaction(write=True) as tx:
        row = tx.one("SELECT code_hash, encryption_key, signing_key, nonce, expected_proof, "
                     "expires_at FROM enrolment_challenges WHERE challenge_id = ?",
                     (challenge_id,))
        if row is None or int(row[5]) <= now:
            raise Gone("This enrolment attempt has expired; nothing was changed. "
                       "Start enrolment again.", code="challenge_expired")
        hashed, encryption_raw, signing_raw, nonce, expected = (
            str(row[0]), bytes(row[1]), bytes(row[2]), bytes(row[3]), bytes(row[4]))
        signing_key = Ed25519PublicKey.from_public_bytes(signing_raw)
        payload = p.enrol_signature_payload(challenge_id, hashed, nonce, encryption_raw,
                                            signing_raw)
        try:
            signing_key.verify(signature, payload)
        except InvalidSignature:
            raise Forbidden("The device could not prove it holds its signing key; nothing was "
                            "issued.", code="proof_failed") from None
        if not hmac.compare_digest(agreement_proof, expected):
            raise Forbidden("The device could not prove it holds its encryption key; nothing "
                            "was issued.", code="proof_failed")
        code_row = tx.one("SELECT staff_id FROM enrolment_codes WHERE code_hash = ?", (hashed,))
        redeemed = tx.run("UPDATE enrolment_codes SET redeemed_at = ? WHERE code_hash = ? "
                          "AND redeemed_at IS NULL AND expires_at > ?", (now, hashed, now))
        if redeemed != 1 or code_row is None:
            raise Unauthorized(_CODE_REFUSED, code="enrolment_code_refused")
        staff_id = str(code_row[0])
        person = tx.one("SELECT email, display_name, role, department, enabled FROM clinicians "
                        "WHERE staff_id = ?", (staff_id,))
        if person is None or not int(person[4]):
            raise Forbidden("This clinician's account is disabled; nothing was issued. Ask IT.",
                            code="clinician_disabled")
        identity = ClinicianIdentity(email=person[0], staff_id=staff_id, display_name=person[1],
                                     role=person[2], department=person[3])
        issued = ca_service.issue(tx, identity, X25519PublicKey.from_public_bytes(encryption_raw),
                                  signing_key, valid_days=settings.certificate_days)
        tx.execute("DELETE FROM enrolment_challenges WHERE challenge_id = ?", (challenge_id,))
        root = ca_service.root_pem(tx)
        audit.record(tx, actor=staff_id, action="enrol", subject=staff_id,
                     detail={"key_id": p.key_id(signing_key),
                             "serials": [str(issued.encryption.serial_number),
                                         str(issued.signing.serial_number)]})
    return {"staff_id": staff_id, "key_id": p.key_id(signing_key),
            "encryption_certificate": issued.encryption.public_bytes(Encoding.PEM).decode(),
            "signing_certificate": issued.signing.public_bytes(Encoding.PEM).decode(),
            "root_certificate": root,
            "crl": ca_service.crl_pem(database).decode()}
