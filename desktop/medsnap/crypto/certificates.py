"""A small hospital certificate authority: ECDSA P-256 root, clinician certificates, CRLs.

Each clinician gets two certificates signed by the root:

* an X25519 certificate (keyUsage keyAgreement) whose key receives letters (age recipient);
* an Ed25519 certificate (keyUsage digitalSignature) whose key signs letter manifests.

Both carry extendedKeyUsage emailProtection, the address as subjectAltName rfc822Name and the
identity attributes listed in :mod:`medsnap.crypto.identity`. Validation lives in
:mod:`medsnap.crypto.validation`; the comparison fingerprint in :mod:`medsnap.crypto.safety_number`.
Both are re-exported here so callers need one import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from medsnap.crypto.identity import ClinicianCertificates, ClinicianIdentity
from medsnap.crypto.safety_number import safety_number
from medsnap.crypto.validation import (
    CertificateError,
    CertificateExpired,
    CertificateNotYetValid,
    CertificateRevoked,
    InvalidCRL,
    UntrustedCertificate,
    WrongCertificateUsage,
    validate_clinician,
)

__all__ = [
    "CertificateError", "CertificateExpired", "CertificateNotYetValid", "CertificateRevoked",
    "ClinicianCertificates", "ClinicianIdentity", "HospitalCA", "InvalidCRL",
    "UntrustedCertificate", "WrongCertificateUsage", "safety_number", "validate_clinician",
]

#: certificates start a little in the past so a workstation whose clock lags still accepts them
BACKDATE = dt.timedelta(minutes=5)


def _utcnow(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.timezone.utc)


def _key_usage(*, digital_signature: bool = False, key_agreement: bool = False,
               cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=key_agreement, key_cert_sign=cert_sign,
        crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


class HospitalCA:
    """The hospital root key and certificate; issues clinician certificates and CRLs."""

    def __init__(self, root_certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey):
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("the hospital CA key must be an ECDSA key")
        if key.public_key().public_numbers() != root_certificate.public_key().public_numbers():
            raise ValueError("the CA key does not match the root certificate")
        self.root_certificate = root_certificate
        self._key = key

    @classmethod
    def create(cls, name: str, *, valid_days: int = 3650,
               now: dt.datetime | None = None) -> HospitalCA:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        start = _utcnow(now) - BACKDATE
        public = key.public_key()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @classmethod
    def load(cls, cert_pem: bytes, key_pem: bytes, key_password: bytes | None = None) -> HospitalCA:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=key_password)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("the hospital CA key must be an ECDSA key")
        return cls(cert, key)

    @property
    def name(self) -> str:
        values = self.root_certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(values[0].value) if values else ""

    def root_pem(self) -> bytes:
        return self.root_certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, password: bytes | None = None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password
            else serialization.NoEncryption())
        return self._key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8, encryption)

    def _leaf(self, identity: ClinicianIdentity, public_key: X25519PublicKey | Ed25519PublicKey,
              usage: x509.KeyUsage, start: dt.datetime, end: dt.datetime) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(identity.subject_name())
            .issuer_name(self.root_certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(identity.email)]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self._key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .sign(self._key, hashes.SHA256())
        )

    def issue(self, identity: ClinicianIdentity, encryption_key: X25519PublicKey,
              signing_key: Ed25519PublicKey, *, valid_days: int = 825,
              now: dt.datetime | None = None) -> ClinicianCertificates:
        """Issue the clinician's X25519 (keyAgreement) and Ed25519 (digitalSignature) pair."""
        if not isinstance(encryption_key, X25519PublicKey):
            raise TypeError("encryption_key must be an X25519 public key")
        if not isinstance(signing_key, Ed25519PublicKey):
            raise TypeError("signing_key must be an Ed25519 public key")
        if not identity.email or "@" not in identity.email or not identity.staff_id \
                or not identity.display_name:
            raise ValueError("a clinician needs an e-mail address, a staff id and a display name")
        start = _utcnow(now) - BACKDATE
        end = min(start + dt.timedelta(days=valid_days),
                  self.root_certificate.not_valid_after_utc)
        return ClinicianCertificates(
            encryption=self._leaf(identity, encryption_key, _key_usage(key_agreement=True),
                                  start, end),
            signing=self._leaf(identity, signing_key, _key_usage(digital_signature=True),
                               start, end),
        )

    def crl(self, revoked: Iterable[tuple[int, dt.datetime] |
                                    tuple[int, dt.datetime, x509.ReasonFlags | None]], *,
            next_update_days: int = 7,
            now: dt.datetime | None = None) -> x509.CertificateRevocationList:
        """A CRL listing ``(serial, revocation time[, reason])``, signed by the root. A reason
        (e.g. ``x509.ReasonFlags.key_compromise``) is written as the entry's CRLReason; the
        app refuses even letters that arrived before a key-compromise revocation."""
        issued = _utcnow(now)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.root_certificate.subject)
            .last_update(issued - BACKDATE)
            .next_update(issued + dt.timedelta(days=next_update_days))
            # microsecond clock: later CRLs get larger numbers, as RFC 5280 asks
            .add_extension(x509.CRLNumber(int(issued.timestamp() * 1_000_000)), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self._key.public_key()), critical=False)
        )
        for serial, when, *why in revoked:
            entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
            if why and why[0] is not None:
                entry = entry.add_extension(x509.CRLReason(why[0]), critical=False)
            builder = builder.add_revoked_certificate(entry.build())
        return builder.sign(self._key, hashes.SHA256())
