"""open_letter and a sender revoked after the letter arrived (crypto/letter_revocation).

CRLs signed by the test hospital's root, with and without a CRLReason or invalidityDate entry
extension, as an authority other than ours may issue them."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from medsnap.crypto.letter import open_letter, seal
from medsnap.crypto.letter_errors import SenderCertificateRevoked, SenderKeyCompromised
from medsnap.crypto.letter_model import Letter
from medsnap.crypto.letter_revocation import revocation_of
from medsnap.crypto.replay import ReplayStore
from pki_people import tiny_png, unlocked

NOW = dt.datetime.now(dt.timezone.utc)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def sealed(hospital_ca, alice, bob):
    return seal(Letter(tiny_png(), "image/png", note="check line 3"), unlocked(alice),
                [bob.certificates], root=hospital_ca.root_certificate, crl=hospital_ca.crl([]))


def _crl(ca, serial: int, revoked_at: dt.datetime, reason: x509.ReasonFlags | None = None,
         invalid_since: dt.datetime | None = None) -> x509.CertificateRevocationList:
    key = serialization.load_pem_private_key(ca.key_pem(), password=None)
    entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
    if reason is not None:
        entry = entry.add_extension(x509.CRLReason(reason), critical=False)
    if invalid_since is not None:
        entry = entry.add_extension(x509.InvalidityDate(invalid_since), critical=False)
    return (x509.CertificateRevocationListBuilder()
            .issuer_name(ca.root_certificate.subject)
            .last_update(NOW - HOUR).next_update(NOW + 24 * HOUR)
            .add_revoked_certificate(entry.build()).sign(key, hashes.SHA256()))


def _open(sealed, ca, reader, crl, arrived_at):
    with ReplayStore(":memory:") as store:
        return open_letter(sealed, unlocked(reader), root=ca.root_certificate, crl=crl,
                           replay_store=store, arrived_at=arrived_at)


def test_arrived_before_an_ordinary_revocation_opens_and_says_so(sealed, hospital_ca, alice,
                                                                  bob):
    serial = alice.certificates.signing.serial_number
    for reason in (x509.ReasonFlags.cessation_of_operation, x509.ReasonFlags.superseded,
                   x509.ReasonFlags.affiliation_changed):
        crl = _crl(hospital_ca, serial, NOW - HOUR, reason)
        opened = _open(sealed, hospital_ca, bob, crl, arrived_at=NOW - 2 * HOUR)
        revoked = opened.verification.sender_revoked
        assert opened.note == "check line 3" and revoked is not None
        assert revoked.revocation.reason == reason.value
        assert revoked.arrived_at == NOW - 2 * HOUR
        assert "Dr Alice Adams's certificate was revoked on" in revoked.caution(
            opened.sender.display_name)


def test_a_revocation_without_a_reason_refuses_even_an_early_arrival(sealed, hospital_ca,
                                                                    alice, bob):
    """A device revoked in a hurry, without saying why, is treated as the worst case."""
    crl = _crl(hospital_ca, alice.certificates.signing.serial_number, NOW - HOUR)
    with pytest.raises(SenderCertificateRevoked) as refusal:
        _open(sealed, hospital_ca, bob, crl, arrived_at=NOW - 2 * HOUR)
    assert refusal.value.revocation.reason == "unspecified"


def test_arrived_after_or_never_recorded_is_refused(sealed, hospital_ca, alice, bob):
    crl = _crl(hospital_ca, alice.certificates.signing.serial_number, NOW - HOUR,
               x509.ReasonFlags.cessation_of_operation)
    for arrived_at in (NOW - HOUR, NOW - HOUR / 2, None):  # at, after, no record of arrival
        with pytest.raises(SenderCertificateRevoked) as refusal:
            _open(sealed, hospital_ca, bob, crl, arrived_at)
        assert not isinstance(refusal.value, SenderKeyCompromised)
        assert refusal.value.revocation.revoked_at == NOW.replace(microsecond=0) - HOUR


@pytest.mark.parametrize("reason", [x509.ReasonFlags.key_compromise,
                                    x509.ReasonFlags.ca_compromise,
                                    x509.ReasonFlags.aa_compromise])
def test_a_compromised_key_refuses_even_an_early_arrival(sealed, hospital_ca, alice, bob,
                                                         reason):
    crl = _crl(hospital_ca, alice.certificates.signing.serial_number, NOW - HOUR, reason)
    with pytest.raises(SenderKeyCompromised) as refusal:
        _open(sealed, hospital_ca, bob, crl, arrived_at=NOW - 2 * HOUR)
    assert refusal.value.revocation.key_compromised
    assert "Dr Alice Adams" in refusal.value.message and "Nothing" in refusal.value.message


def test_the_invalidity_date_moves_the_cutoff_earlier(sealed, hospital_ca, alice, bob):
    serial = alice.certificates.signing.serial_number
    crl = _crl(hospital_ca, serial, NOW - HOUR, x509.ReasonFlags.cessation_of_operation,
               invalid_since=NOW - 3 * HOUR)
    assert revocation_of(crl, serial).cutoff == NOW.replace(microsecond=0) - 3 * HOUR
    with pytest.raises(SenderCertificateRevoked):
        _open(sealed, hospital_ca, bob, crl, arrived_at=NOW - 2 * HOUR)
    assert _open(sealed, hospital_ca, bob, crl, arrived_at=NOW - 4 * HOUR) \
        .verification.sender_revoked is not None


def test_a_sender_in_good_standing_has_no_caution(sealed, hospital_ca, bob):
    opened = _open(sealed, hospital_ca, bob, hospital_ca.crl([]), arrived_at=NOW - HOUR)
    assert opened.verification.sender_revoked is None
    assert revocation_of(hospital_ca.crl([]), 1) is None and revocation_of(None, 1) is None
