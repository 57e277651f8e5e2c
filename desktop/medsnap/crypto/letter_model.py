"""What goes into a letter, who seals and opens it, and what an opened letter shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from medsnap.crypto.identity import ClinicianCertificates, ClinicianIdentity

#: the patient-identifiability declaration the sender makes (permanent strings)
DECLARATIONS = ("not-identifiable", "consent-verbal", "consent-written", "direct-care")
#: media type -> archive member name
IMAGE_MEMBERS = {"image/png": "image.png", "image/jpeg": "image.jpg"}
DEFAULT_LIFETIME = dt.timedelta(days=14)
MAX_LIFETIME = dt.timedelta(days=90)
MAX_IMAGE_BYTES = 256 * 1024 * 1024
MAX_NOTE_JSON_BYTES = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class Letter:
    """A clean image and the words that go with it, before sealing."""

    image: bytes
    media_type: str
    note: str = ""
    declaration: str = "not-identifiable"
    annotations: Any = None  # JSON-compatible value (the document's annotation list)
    expires_at: dt.datetime | None = None  # None -> issue time + DEFAULT_LIFETIME


@dataclass(frozen=True, eq=False)
class UnlockedClinician:
    """A clinician's private keys in memory with their certificates: the sealer or the reader."""

    signing_key: Ed25519PrivateKey
    encryption_key: X25519PrivateKey
    certificates: ClinicianCertificates
    #: certificates between the signing certificate and the root, if the hospital uses any
    intermediates: tuple[x509.Certificate, ...] = ()

    @classmethod
    def from_keys(cls, keys: Any) -> UnlockedClinician:
        """From the key store's ``ClinicianKeys`` (two private keys and ``certificates_pem``)."""
        if not keys.certificates_pem:
            raise ValueError("these keys have no certificates yet")
        return cls(keys.signing_key, keys.encryption_key,
                   ClinicianCertificates.from_pem(keys.certificates_pem))


@dataclass(frozen=True)
class Verification:
    """What was checked, for the viewer's "why can I trust this" panel."""

    signer_certificate_serial: int
    signer_certificate_sha256: str
    revocation_checked: bool
    checks: tuple[str, ...] = field(default=(
        "certificate chain to the hospital root", "manifest signature",
        "sender matches certificate", "addressed to you",
        "issue and expiry times", "not seen before", "every part's hash and size"))
    #: set when the sender was revoked after the letter arrived (letter_revocation): shown
    #: with a caution; None for a sender in good standing
    sender_revoked: Any = None


@dataclass(frozen=True)
class OpenedLetter:
    """A verified letter: every value was signed by the sender or is from their certificate."""

    message_id: str
    sender: ClinicianIdentity
    recipients: tuple[str, ...]
    issued_at: dt.datetime
    expires_at: dt.datetime
    image: bytes
    media_type: str
    note: str
    declaration: str
    annotations: Any
    verification: Verification
