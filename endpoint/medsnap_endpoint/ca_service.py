"""The hospital CA as the endpoint keeps it: root and key in the database, CRL built on demand.

The root key is stored encrypted with a password given to every serving process in
``MEDSNAP_ENDPOINT_CA_PASSWORD`` (docs/ADMIN.md, "Key ceremony"); in clear only when the caller
asks for it explicitly (``unencrypted_key=True``: a trial or the demo's throwaway CA).
"""

from __future__ import annotations

import datetime as dt
import os
import time

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from medsnap.crypto.certificates import ClinicianCertificates, ClinicianIdentity, HospitalCA
from medsnap_endpoint.errors import AdminError, Unavailable
from medsnap_endpoint.protocol import key_id
from medsnap_endpoint.storage.base import Database, Transaction

PASSWORD_VARIABLE = "MEDSNAP_ENDPOINT_CA_PASSWORD"


def _password() -> bytes | None:
    value = os.environ.get(PASSWORD_VARIABLE)
    return value.encode() if value else None


def key_password(*, unencrypted_key: bool = False) -> bytes | None:
    """The password the root key is stored under; without one, refused unless the caller
    asked for an unencrypted key in so many words (a throwaway trial or demo CA)."""
    password = _password()
    if password is None and not unencrypted_key:
        raise AdminError(
            f"{PASSWORD_VARIABLE} is not set, so the root CA key would be stored unencrypted "
            "in the database, where anyone who can read the database or a backup of it could "
            "issue certificates in the hospital's name. Nothing was created. Set "
            f"{PASSWORD_VARIABLE} (docs/ADMIN.md, \"Key ceremony\"; the serving processes "
            "need it too), or for a throwaway trial only add --insecure-unencrypted-key.",
            code="ca_key_unprotected")
    return password


def store_ca(tx: Transaction, ca: HospitalCA, *, replace: bool = False,
             unencrypted_key: bool = False) -> None:
    password = key_password(unencrypted_key=unencrypted_key)
    if tx.one("SELECT 1 FROM ca WHERE id = 1") and not replace:
        raise AdminError("This endpoint already has a certificate authority; nothing was "
                         "changed. Replacing it would invalidate every clinician's certificate.")
    tx.execute("DELETE FROM ca WHERE id = 1")
    tx.execute("INSERT INTO ca (id, name, cert_pem, key_pem, key_encrypted, created_at) "
               "VALUES (1, ?, ?, ?, ?, ?)",
               (ca.name, ca.root_pem().decode(), ca.key_pem(password).decode(),
                1 if password else 0, int(time.time())))


def load_ca(tx: Transaction) -> HospitalCA:
    row = tx.one("SELECT cert_pem, key_pem, key_encrypted FROM ca WHERE id = 1")
    if not row:
        raise Unavailable("This endpoint has no certificate authority yet. An administrator "
                          "must run 'medsnap-endpoint admin init-ca' first.", code="no_ca")
    password = _password() if row[2] else None
    if row[2] and not password:
        raise Unavailable(f"The CA key is encrypted; set {PASSWORD_VARIABLE} for the endpoint.",
                          code="ca_locked")
    try:
        return HospitalCA.load(row[0].encode(), row[1].encode(), password)
    except (ValueError, TypeError):  # cryptography's answer to a wrong password
        if not row[2]:
            raise
        raise Unavailable(f"{PASSWORD_VARIABLE} does not unlock the CA key; set the password "
                          "the CA was created with.", code="ca_password_wrong") from None


class CAKeyLocked(AdminError):
    """``serve`` was started without the password that unlocks the stored root key."""

    code = "ca_locked"
    exit_code = 5


def require_unlockable(database: Database) -> None:
    """Refuse to serve an endpoint whose stored root key this process cannot unlock.

    Otherwise it would start and look healthy, and every clinician's enrolment would fail
    with "try again later" for something only IT can fix. No CA yet is fine (init-ca may
    follow); a key stored in clear needs no password.
    """
    with database.transaction() as tx:
        try:
            load_ca(tx)
        except Unavailable as error:
            if error.code == "ca_locked":
                raise CAKeyLocked(
                    "The root CA key in the database is encrypted and "
                    f"{PASSWORD_VARIABLE} is not set for this process, so clinicians could "
                    "not enrol. Nothing was served. Set it to the CA key password (with "
                    "systemd: in /etc/medsnap-endpoint/env; docs/ADMIN.md, \"Key ceremony\") "
                    "and start again.") from None
            if error.code == "ca_password_wrong":
                raise CAKeyLocked(
                    f"{PASSWORD_VARIABLE} does not unlock the root CA key stored in the "
                    "database, so clinicians could not enrol. Nothing was served. Set it to "
                    "the password 'admin init-ca' (or 'import-root') was run with "
                    "(docs/ADMIN.md, \"Key ceremony\") and start again.") from None
            if error.code != "no_ca":
                raise


def root_pem(tx: Transaction) -> str:
    row = tx.one("SELECT cert_pem FROM ca WHERE id = 1")
    if not row:
        raise Unavailable("This endpoint has no certificate authority yet. An administrator "
                          "must run 'medsnap-endpoint admin init-ca' first.", code="no_ca")
    return str(row[0])


def issue(tx: Transaction, identity: ClinicianIdentity, encryption_key, signing_key, *,
          valid_days: int) -> ClinicianCertificates:
    """Issue and record a clinician's pair; earlier certificates of theirs are revoked as
    superseded (re-enrolled: a new workstation, a lost key file), so letters they signed
    before still open for their colleagues, with a caution. Keys that may have been stolen
    are revoked again by IT with --reason key-compromise, which raises the reason."""
    ca = load_ca(tx)
    certificates = ca.issue(identity, encryption_key, signing_key, valid_days=valid_days)
    now = int(time.time())
    _revoke(tx, "staff_id = ?", identity.staff_id, "superseded")
    for usage, cert in (("encryption", certificates.encryption),
                        ("signing", certificates.signing)):
        kid = key_id(cert.public_key()) if usage == "signing" else ""
        tx.execute("INSERT INTO certificates (serial, staff_id, usage, key_id, pem, issued_at, "
                   "not_after, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                   (str(cert.serial_number), identity.staff_id, usage, kid,
                    cert.public_bytes(Encoding.PEM).decode(), now,
                    int(cert.not_valid_after_utc.timestamp())))
    return certificates


#: ``admin revoke --reason`` words -> the CRL's reason codes (RFC 5280 5.3.1)
REVOCATION_REASONS = {
    "key-compromise": x509.ReasonFlags.key_compromise,  # lost or stolen device or key
    "left": x509.ReasonFlags.cessation_of_operation,   # a leaver
    "superseded": x509.ReasonFlags.superseded,          # re-enrolled with new keys
}


def revoke_staff(tx: Transaction, staff_id: str, reason: str | None = None) -> int:
    return _revoke(tx, "staff_id = ?", staff_id, reason)


def revoke_serial(tx: Transaction, serial: str, reason: str | None = None) -> int:
    return _revoke(tx, "serial = ?", serial, reason)


def _revoke(tx: Transaction, which: str, value: str, reason: str | None) -> int:
    """Revoke the certificates ``which`` selects; a key found compromised after an earlier
    revocation (a leaver's stolen laptop) has its reason raised too, keeping the date, as
    RFC 5280 allows a later CRL to. Returns how many certificates changed."""
    count = tx.run(f"UPDATE certificates SET revoked_at = ?, revocation_reason = ? "
                   f"WHERE {which} AND revoked_at IS NULL", (int(time.time()), reason, value))
    if reason == "key-compromise":
        count += tx.run(f"UPDATE certificates SET revocation_reason = ? WHERE {which} AND "
                        "revoked_at IS NOT NULL AND COALESCE(revocation_reason, '') <> ?",
                        (reason, value, reason))
    return count


def crl_pem(database: Database) -> bytes:
    """A fresh CRL of every revoked certificate that has not yet expired, signed by the root."""
    now = int(time.time())
    with database.transaction() as tx:
        ca = load_ca(tx)
        revoked = tx.all("SELECT serial, revoked_at, revocation_reason FROM certificates "
                         "WHERE revoked_at IS NOT NULL AND not_after > ? ORDER BY serial", (now,))
    crl = ca.crl((int(serial), dt.datetime.fromtimestamp(int(when), dt.timezone.utc),
                  REVOCATION_REASONS.get(reason or "")) for serial, when, reason in revoked)
    return crl.public_bytes(Encoding.PEM)


def load_certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())
