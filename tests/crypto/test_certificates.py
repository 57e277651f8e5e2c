"""Hospital CA: issuing, CRLs, validation outcomes, safety numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pki_people import make_person
from medsnap.crypto.certificates import (
    CertificateExpired, CertificateNotYetValid, CertificateRevoked, ClinicianCertificates,
    ClinicianIdentity, HospitalCA, InvalidCRL, UntrustedCertificate, WrongCertificateUsage,
    safety_number, validate_clinician,
)
from medsnap.errors import CryptoError

NOW = dt.datetime.now(dt.timezone.utc)


def test_root_is_a_p256_ca(hospital_ca):
    root = hospital_ca.root_certificate
    assert root.public_key().curve.name == "secp256r1"
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert root.issuer == root.subject
    root.verify_directly_issued_by(root)


def test_issued_pair_carries_identity_and_usages(hospital_ca, alice):
    certs = alice.certificates
    enc_usage = certs.encryption.extensions.get_extension_for_class(x509.KeyUsage).value
    sig_usage = certs.signing.extensions.get_extension_for_class(x509.KeyUsage).value
    assert enc_usage.key_agreement and not enc_usage.digital_signature
    assert sig_usage.digital_signature and not sig_usage.key_agreement
    for cert in (certs.encryption, certs.signing):
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.RFC822Name) == [alice.identity.email]
        assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "ALICE.ADAMS"
        assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Registrar"
        cert.verify_directly_issued_by(hospital_ca.root_certificate)
    assert certs.encryption.serial_number != certs.signing.serial_number
    assert certs.encryption.serial_number.bit_length() > 64


@pytest.mark.parametrize("usage", ["encryption", "signing"])
def test_valid_certificate_yields_identity(hospital_ca, alice, usage):
    cert = getattr(alice.certificates, usage)
    identity = validate_clinician(cert, root=hospital_ca.root_certificate,
                                  crl=hospital_ca.crl([]), usage=usage)
    assert identity == alice.identity


def test_wrong_usage_is_refused(hospital_ca, alice):
    with pytest.raises(WrongCertificateUsage):
        validate_clinician(alice.certificates.signing, root=hospital_ca.root_certificate,
                           crl=None, usage="encryption")
    with pytest.raises(WrongCertificateUsage):
        validate_clinician(alice.certificates.encryption, root=hospital_ca.root_certificate,
                           crl=None, usage="signing")


def test_foreign_root_is_untrusted(foreign_ca, alice):
    with pytest.raises(UntrustedCertificate) as info:
        validate_clinician(alice.certificates.signing, root=foreign_ca.root_certificate,
                           crl=None, usage="signing")
    assert "Nothing was shown" in info.value.message


def test_expired_and_not_yet_valid(hospital_ca, alice):
    root = hospital_ca.root_certificate
    with pytest.raises(CertificateExpired):
        validate_clinician(alice.certificates.signing, root=root, crl=None, usage="signing",
                           now=NOW + dt.timedelta(days=900))
    with pytest.raises(CertificateNotYetValid):
        validate_clinician(alice.certificates.signing, root=root, crl=None, usage="signing",
                           now=NOW - dt.timedelta(days=1))


def test_revoked_certificate(hospital_ca, alice, bob):
    crl = hospital_ca.crl([(alice.certificates.signing.serial_number, NOW)])
    with pytest.raises(CertificateRevoked) as info:
        validate_clinician(alice.certificates.signing, root=hospital_ca.root_certificate,
                           crl=crl, usage="signing")
    assert alice.identity.email in info.value.message
    # other certificates stay valid under the same CRL
    validate_clinician(bob.certificates.signing, root=hospital_ca.root_certificate, crl=crl,
                       usage="signing")


def test_crl_from_foreign_root_or_stale_is_refused(hospital_ca, foreign_ca, alice):
    root = hospital_ca.root_certificate
    with pytest.raises(InvalidCRL):
        validate_clinician(alice.certificates.signing, root=root, crl=foreign_ca.crl([]),
                           usage="signing")
    stale = hospital_ca.crl([], next_update_days=1, now=NOW - dt.timedelta(days=3))
    with pytest.raises(InvalidCRL):
        validate_clinician(alice.certificates.signing, root=root, crl=stale, usage="signing")


def _hand_made_leaf(ca: HospitalCA, *, eku: x509.ObjectIdentifier | None, san: bool,
                    unknown_critical: bool = False) -> x509.Certificate:
    key = serialization.load_pem_private_key(ca.key_pem(None), None)
    public = Ed25519PrivateKey.generate().public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(ClinicianIdentity("m@x.nhs.uk", "M1", "Dr M").subject_name())
        .issuer_name(ca.root_certificate.subject).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(hours=1)).not_valid_after(NOW + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                       critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                       critical=False)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("m@x.nhs.uk")]), critical=False)
    if unknown_critical:
        builder = builder.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"), critical=True)
    return builder.sign(key, hashes.SHA256())


EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION


def test_hand_made_leaf_control_is_accepted(hospital_ca):
    cert = _hand_made_leaf(hospital_ca, eku=EMAIL, san=True)
    assert validate_clinician(cert, root=hospital_ca.root_certificate, crl=None,
                              usage="signing").staff_id == "M1"


@pytest.mark.parametrize("eku,san,unknown", [
    pytest.param(ExtendedKeyUsageOID.CLIENT_AUTH, True, False, id="client-auth-eku"),
    pytest.param(None, True, False, id="no-eku"),
    pytest.param(EMAIL, False, False, id="no-san"),
    pytest.param(EMAIL, True, True, id="unknown-critical-extension"),
])
def test_leaf_breaking_the_profile_is_untrusted(hospital_ca, eku, san, unknown):
    cert = _hand_made_leaf(hospital_ca, eku=eku, san=san, unknown_critical=unknown)
    with pytest.raises(UntrustedCertificate):
        validate_clinician(cert, root=hospital_ca.root_certificate, crl=None, usage="signing")


def test_ca_round_trips_through_pem(hospital_ca, alice):
    loaded = HospitalCA.load(hospital_ca.root_pem(), hospital_ca.key_pem(b"pw"), b"pw")
    assert loaded.root_certificate == hospital_ca.root_certificate
    assert b"ENCRYPTED" in hospital_ca.key_pem(b"pw")
    person = make_person(loaded, "dan@elsewhere.nhs.uk", "Dr Dan")
    validate_clinician(person.certificates.encryption, root=hospital_ca.root_certificate,
                       crl=None, usage="encryption")
    pair = ClinicianCertificates.from_pem(alice.certificates.to_pem())
    assert pair == alice.certificates


def test_certificate_errors_are_crypto_errors():
    assert issubclass(CertificateRevoked, CryptoError)


def test_validity_is_clamped_to_root(alice):
    short_ca = HospitalCA.create("Short", valid_days=30)
    person = make_person(short_ca, "e@x.nhs.uk", "Dr E")
    assert person.certificates.signing.not_valid_after_utc <= \
        short_ca.root_certificate.not_valid_after_utc


def test_safety_number_depends_on_both_keys_only(hospital_ca, alice, bob):
    number = safety_number(alice.certificates)
    groups = number.split(" ")
    assert len(groups) == 5 and all(len(g) == 4 and g.isdigit() for g in groups)
    assert safety_number(bob.certificates) != number
    reissued = hospital_ca.issue(alice.identity, alice.encryption_key.public_key(),
                                 alice.signing_key.public_key())
    assert safety_number(reissued) == number
    new_enc = hospital_ca.issue(alice.identity, X25519PrivateKey.generate().public_key(),
                                alice.signing_key.public_key())
    assert safety_number(new_enc) != number
