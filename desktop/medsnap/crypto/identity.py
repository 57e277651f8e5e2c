"""Who a clinician is, as carried in their two hospital certificates.

Subject attribute choices (permanent, see docs/FORMAT.md "Certificates"):

=================  ==========================================  =====================
field              where                                       OID
=================  ==========================================  =====================
display name       subject commonName (CN)                     2.5.4.3
staff id           subject userId (UID)                        0.9.2342.19200300.100.1.1
role               subject title                               2.5.4.12
department         subject organizationalUnitName (OU)         2.5.4.11
e-mail address     subjectAltName rfc822Name (exactly one)     2.5.29.17
=================  ==========================================  =====================
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

STAFF_ID_OID = NameOID.USER_ID
ROLE_OID = NameOID.TITLE
DEPARTMENT_OID = NameOID.ORGANIZATIONAL_UNIT_NAME


@dataclass(frozen=True)
class ClinicianIdentity:
    """The signed facts about a clinician; only these are ever displayed."""

    email: str
    staff_id: str
    display_name: str
    role: str = ""
    department: str = ""

    def subject_name(self) -> x509.Name:
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, self.display_name),
                      x509.NameAttribute(STAFF_ID_OID, self.staff_id)]
        if self.role:
            attributes.append(x509.NameAttribute(ROLE_OID, self.role))
        if self.department:
            attributes.append(x509.NameAttribute(DEPARTMENT_OID, self.department))
        return x509.Name(attributes)


class IdentityFormatError(ValueError):
    """A certificate does not carry a complete clinician identity."""


def _single_attribute(name: x509.Name, oid: x509.ObjectIdentifier, *, required: bool) -> str:
    values = name.get_attributes_for_oid(oid)
    if len(values) > 1:
        raise IdentityFormatError(f"subject has {len(values)} values for {oid.dotted_string}")
    if not values:
        if required:
            raise IdentityFormatError(f"subject lacks {oid.dotted_string}")
        return ""
    value = values[0].value
    if not isinstance(value, str) or not value:
        raise IdentityFormatError(f"subject attribute {oid.dotted_string} is empty")
    return value


def certificate_email(cert: x509.Certificate) -> str:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as exc:
        raise IdentityFormatError("certificate has no subjectAltName") from exc
    emails = san.get_values_for_type(x509.RFC822Name)
    if len(emails) != 1:
        raise IdentityFormatError(f"certificate has {len(emails)} e-mail addresses, expected one")
    return emails[0]


def identity_from_certificate(cert: x509.Certificate) -> ClinicianIdentity:
    """Read the identity fields; raises IdentityFormatError if any required one is missing."""
    subject = cert.subject
    return ClinicianIdentity(
        email=certificate_email(cert),
        staff_id=_single_attribute(subject, STAFF_ID_OID, required=True),
        display_name=_single_attribute(subject, NameOID.COMMON_NAME, required=True),
        role=_single_attribute(subject, ROLE_OID, required=False),
        department=_single_attribute(subject, DEPARTMENT_OID, required=False),
    )


@dataclass(frozen=True)
class ClinicianCertificates:
    """A clinician's pair: X25519 for receiving letters, Ed25519 for signing them."""

    encryption: x509.Certificate
    signing: x509.Certificate

    def __post_init__(self) -> None:
        if not isinstance(self.encryption.public_key(), X25519PublicKey):
            raise IdentityFormatError("the encryption certificate does not hold an X25519 key")
        if not isinstance(self.signing.public_key(), Ed25519PublicKey):
            raise IdentityFormatError("the signing certificate does not hold an Ed25519 key")

    @property
    def encryption_key(self) -> X25519PublicKey:
        key = self.encryption.public_key()
        assert isinstance(key, X25519PublicKey)
        return key

    @property
    def signing_key(self) -> Ed25519PublicKey:
        key = self.signing.public_key()
        assert isinstance(key, Ed25519PublicKey)
        return key

    @property
    def email(self) -> str:
        return certificate_email(self.encryption)

    def to_pem(self) -> bytes:
        """Signing certificate then encryption certificate, PEM, concatenated."""
        return self.signing.public_bytes(Encoding.PEM) + self.encryption.public_bytes(Encoding.PEM)

    @classmethod
    def from_pem(cls, data: bytes) -> ClinicianCertificates:
        """Accepts both certificates in either order; tells them apart by key type."""
        try:
            certs = x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise IdentityFormatError(f"not PEM certificates: {exc}") from exc
        encryption = [c for c in certs if isinstance(c.public_key(), X25519PublicKey)]
        signing = [c for c in certs if isinstance(c.public_key(), Ed25519PublicKey)]
        if len(certs) != 2 or len(encryption) != 1 or len(signing) != 1:
            raise IdentityFormatError("expected exactly one X25519 and one Ed25519 certificate")
        return cls(encryption=encryption[0], signing=signing[0])
