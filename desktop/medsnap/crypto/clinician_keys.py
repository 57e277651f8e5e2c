"""A clinician's private keys and the small versioned document they are stored as.

The document is the plaintext inside the passphrase-wrapped age file (see ``keystore``):

    {"format": "medsnap-clinician-keys", "version": 1,
     "signing_ed25519": "<base64 of the 32-byte raw private key>",
     "encryption_x25519": "<base64 of the 32-byte raw private key>",
     "certificates_pem": "<PEM text>" | null}

Field names are permanent: add fields, never rename them. A reader refuses a newer
``version`` instead of guessing.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)

from medsnap.crypto.keystore_errors import KeyStoreError

DOCUMENT_FORMAT = "medsnap-clinician-keys"
DOCUMENT_VERSION = 1
# The document is tiny; anything much larger is not ours.
MAX_DOCUMENT_BYTES = 256 * 1024

_RAW = serialization.Encoding.Raw
_RAW_PRIVATE = serialization.PrivateFormat.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw
_NO_ENCRYPTION = serialization.NoEncryption()


class KeyDocumentError(KeyStoreError):
    """The decrypted key document is not one this version of MedSnap can read."""


class KeyDocumentTooNew(KeyDocumentError):
    """The document was written by a newer MedSnap (a higher ``version``)."""


@dataclass(frozen=True, eq=False)
class ClinicianKeys:
    """An Ed25519 signing key, an X25519 encryption key and optional certificates (PEM)."""

    signing_key: Ed25519PrivateKey
    encryption_key: X25519PrivateKey
    certificates_pem: bytes | None = None

    @classmethod
    def generate(cls, certificates_pem: bytes | None = None) -> ClinicianKeys:
        return cls(Ed25519PrivateKey.generate(), X25519PrivateKey.generate(), certificates_pem)

    @property
    def signing_public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def encryption_public_key(self) -> X25519PublicKey:
        return self.encryption_key.public_key()

    def with_certificates(self, certificates_pem: bytes | None) -> ClinicianKeys:
        """The same keys with new certificates (after the CA issues or renews them)."""
        return ClinicianKeys(self.signing_key, self.encryption_key, certificates_pem)

    def same_keys_as(self, other: ClinicianKeys) -> bool:
        """True when both hold the same private keys and certificates."""
        return (
            _raw_private(self.signing_key) == _raw_private(other.signing_key)
            and _raw_private(self.encryption_key) == _raw_private(other.encryption_key)
            and self.certificates_pem == other.certificates_pem
        )

    def public_fingerprint(self) -> str:
        """Hex of both raw public keys: safe to log or compare, never secret."""
        signing = self.signing_public_key.public_bytes(_RAW, _RAW_PUBLIC)
        encryption = self.encryption_public_key.public_bytes(_RAW, _RAW_PUBLIC)
        return signing.hex() + ":" + encryption.hex()


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(_RAW, _RAW_PRIVATE, _NO_ENCRYPTION)


def keys_to_document(keys: ClinicianKeys) -> bytes:
    """Serialise keys to the versioned JSON document (UTF-8 bytes)."""
    document = {
        "format": DOCUMENT_FORMAT,
        "version": DOCUMENT_VERSION,
        "signing_ed25519": base64.b64encode(_raw_private(keys.signing_key)).decode("ascii"),
        "encryption_x25519": base64.b64encode(_raw_private(keys.encryption_key)).decode("ascii"),
        "certificates_pem": (
            keys.certificates_pem.decode("ascii") if keys.certificates_pem is not None else None
        ),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def keys_from_document(data: bytes) -> ClinicianKeys:
    """Parse the document written by :func:`keys_to_document`; typed error on anything else."""
    damaged = (
        "Your stored keys could not be read: the key document is damaged. Nothing was "
        "changed. Sign in with your staff id to fetch your keys again, or ask IT for help."
    )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise KeyDocumentError(damaged)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise KeyDocumentError(damaged) from error
    if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
        raise KeyDocumentError(damaged)
    version = document.get("version")
    if type(version) is not int or version < 1:  # noqa: E721 - JSON true is not a version
        raise KeyDocumentError(damaged)
    if version > DOCUMENT_VERSION:
        raise KeyDocumentTooNew(
            "Your stored keys were saved by a newer version of MedSnap and cannot be read "
            "by this one. Nothing was changed. Ask IT to update MedSnap on this workstation."
        )
    try:
        signing = Ed25519PrivateKey.from_private_bytes(
            _decode_raw_key(document.get("signing_ed25519"))
        )
        encryption = X25519PrivateKey.from_private_bytes(
            _decode_raw_key(document.get("encryption_x25519"))
        )
    except ValueError as error:
        raise KeyDocumentError(damaged) from error
    certificates = document.get("certificates_pem")
    if certificates is not None and not isinstance(certificates, str):
        raise KeyDocumentError(damaged)
    try:
        pem = certificates.encode("ascii") if certificates is not None else None
    except UnicodeEncodeError as error:
        raise KeyDocumentError(damaged) from error
    return ClinicianKeys(signing, encryption, pem)


def _decode_raw_key(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("key field missing")
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError("key field is not base64") from error
    if len(raw) != 32:
        raise ValueError("key field has the wrong length")
    return raw
