"""Is this clinician certificate trustworthy for this use, now? Returns the signed identity.

Chain building and the checks on every certificate in the chain (signatures, validity periods,
basicConstraints, the root's keyUsage, the leaf's extendedKeyUsage emailProtection and
subjectAltName, unknown critical extensions) are done by ``cryptography.x509.verification`` (cryptography 50 accepts X25519
and Ed25519 leaf keys under an ECDSA root when given our own end-entity extension policy). Done
explicitly here, because the verification API has no notion of them: the leaf's validity period
first (to tell "expired" from "untrusted"), the key type and keyUsage bit for the requested use,
the identity attributes, and revocation from the root-signed CRL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from medsnap.crypto.identity import (ClinicianIdentity, IdentityFormatError,
                                     identity_from_certificate)
from medsnap.errors import CryptoError

Usage = Literal["encryption", "signing"]

#: tolerated difference between this workstation's clock and the CA's
CLOCK_SKEW = dt.timedelta(minutes=5)


class CertificateError(CryptoError):
    """A clinician certificate cannot be trusted for the requested use."""


class UntrustedCertificate(CertificateError):
    """Not issued by the pinned hospital root, or malformed for MedSnap."""


class CertificateExpired(CertificateError):
    """The certificate's validity period has ended."""


class CertificateNotYetValid(CertificateError):
    """The certificate's validity period has not begun."""


class CertificateRevoked(CertificateError):
    """The hospital has revoked the certificate (listed in its CRL)."""


class WrongCertificateUsage(CertificateError):
    """The certificate is genuine but not for this use (key type or keyUsage)."""


class InvalidCRL(CertificateError):
    """The revocation list is not signed by the root, or is out of date."""


def _utcnow(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.timezone.utc)


def _describe(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names and isinstance(names[0].value, str):
        return f'"{names[0].value}"'
    return "an unnamed certificate holder"


def _require_email_protection(_policy: object, _cert: x509.Certificate,
                              eku: x509.ExtendedKeyUsage) -> None:
    if ExtendedKeyUsageOID.EMAIL_PROTECTION not in eku:
        raise ValueError("extendedKeyUsage lacks emailProtection")


def _end_entity_policy() -> verification.ExtensionPolicy:
    """The web-PKI leaf rules, with emailProtection instead of serverAuth/clientAuth."""
    critical_any = verification.Criticality.AGNOSTIC
    return (
        verification.ExtensionPolicy.webpki_defaults_ee()
        .require_present(x509.ExtendedKeyUsage, critical_any, _require_email_protection)
        .require_present(x509.KeyUsage, verification.Criticality.CRITICAL, None)
        .require_present(x509.SubjectAlternativeName, critical_any, None)
        .require_present(x509.BasicConstraints, critical_any, None)
    )


def _check_period(cert: x509.Certificate, now: dt.datetime, what: str) -> None:
    if now + CLOCK_SKEW < cert.not_valid_before_utc:
        raise CertificateNotYetValid(
            f"{what} for {_describe(cert)} is not valid until "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC. Nothing was shown or sent. "
            "Check this computer's date and time, or ask IT.")
    if now - CLOCK_SKEW > cert.not_valid_after_utc:
        raise CertificateExpired(
            f"{what} for {_describe(cert)} expired on {cert.not_valid_after_utc:%Y-%m-%d} UTC. "
            "Nothing was shown or sent. Ask the certificate holder to renew it with IT.")


def _check_usage(cert: x509.Certificate, usage: Usage) -> None:
    key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    if usage == "signing":
        ok = isinstance(cert.public_key(), Ed25519PublicKey) and key_usage.digital_signature
    elif usage == "encryption":
        ok = isinstance(cert.public_key(), X25519PublicKey) and key_usage.key_agreement
    else:
        raise ValueError(f"unknown certificate usage {usage!r}")
    if not ok:
        raise WrongCertificateUsage(
            f"The certificate of {_describe(cert)} is not a MedSnap {usage} certificate. "
            "Nothing was shown or sent. Ask IT to check the colleague's certificates.")


def check_crl(crl: x509.CertificateRevocationList, *, root: x509.Certificate,
              now: dt.datetime | None = None) -> None:
    """The CRL must be signed by the root and current."""
    now = _utcnow(now)
    if crl.issuer != root.subject or not crl.is_signature_valid(root.public_key()):
        raise InvalidCRL("The list of revoked certificates is not signed by the hospital's "
                         "certificate authority. Nothing was shown or sent. Ask IT.")
    next_update = crl.next_update_utc
    if next_update is None or now - CLOCK_SKEW > next_update:
        raise InvalidCRL("The list of revoked certificates is out of date. Nothing was shown or "
                         "sent. Connect to the hospital network so MedSnap can refresh it.")
    if now + CLOCK_SKEW < crl.last_update_utc:
        raise InvalidCRL("The list of revoked certificates is dated in the future. Nothing was "
                         "shown or sent. Check this computer's date and time, or ask IT.")


def validate_clinician(cert: x509.Certificate, *, root: x509.Certificate,
                       crl: x509.CertificateRevocationList | None, usage: Usage,
                       now: dt.datetime | None = None,
                       intermediates: Sequence[x509.Certificate] = ()) -> ClinicianIdentity:
    """Validate ``cert`` for ``usage`` against the pinned ``root``; return its identity.

    ``crl=None`` means no revocation information is available; the caller decides whether
    that is acceptable (letters always pass the hospital CRL when they have one).
    """
    now = _utcnow(now)
    _check_period(root, now, "The hospital root certificate")
    _check_period(cert, now, "The certificate")
    builder = (
        verification.PolicyBuilder()
        .store(verification.Store([root]))
        .time(now)
        .extension_policies(ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                            ee_policy=_end_entity_policy())
    )
    try:
        builder.build_client_verifier().verify(cert, list(intermediates))
    except verification.VerificationError as exc:
        raise UntrustedCertificate(
            f"The certificate of {_describe(cert)} was not issued by this hospital's "
            f"certificate authority ({exc}). Nothing was shown or sent. "
            "Do not trust this sender; tell IT.") from exc
    _check_usage(cert, usage)
    try:
        identity = identity_from_certificate(cert)
    except IdentityFormatError as exc:
        raise UntrustedCertificate(
            f"The certificate of {_describe(cert)} lacks MedSnap identity details ({exc}). "
            "Nothing was shown or sent. Ask IT to re-issue it.") from exc
    if crl is not None:
        check_crl(crl, root=root, now=now)
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            raise CertificateRevoked(
                f"The certificate of {identity.display_name} <{identity.email}> was revoked "
                f"by the hospital on {entry.revocation_date_utc:%Y-%m-%d}. Nothing was shown or "
                "sent. Contact the colleague another way and tell IT.")
    return identity
