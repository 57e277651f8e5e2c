"""A sender revoked after their letter arrived (README "Receiving", rule in letter_revocation).

Real endpoint, real certificates, CRLs signed by the endpoint's own root key: a letter verified
here before the revocation opens with a caution and a mark in the list; one that arrived after
it (whatever its signed issue time says) or whose sender's key was compromised stays refused,
and the list says so. Every outcome is in the local audit log.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from medsnap.crypto.letter import seal
from medsnap.crypto.letter_errors import SenderCertificateRevoked, SenderKeyCompromised
from medsnap.crypto.letter_model import Letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.sync import SyncWorker
from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def bob(endpoint, make_desk):
    session = make_desk().enrol(endpoint, "Bob Baker")
    yield session
    session.close()


@pytest.fixture
def dave(endpoint, make_desk):
    """A sender of one's own per test: each is revoked in it."""
    session = make_desk().enrol(endpoint, "Dave Dunn")
    yield session
    session.close()


def _send(sender, reader, image: bytes, note: str = "check line 3",
          now: dt.datetime | None = None) -> None:
    letter = Letter(image=image, media_type="image/png", note=note)
    # a backdated letter is sealed without the sender's own certificate check (which would
    # find the certificates not yet valid then), as a forger would
    data = seal(letter, sender.clinician, [sender.colleague(reader.staff_id)],
                root=sender.root if now is None else None, now=now)
    sender.transport.client.send(uuid.uuid4().hex, [reader.staff_id], data)


def _receive(session) -> tuple[Inbox, object]:
    """Fetch with the endpoint's current CRL; the one item that arrived."""
    inbox = Inbox(session)
    before = {item.id for item in inbox.items()}
    assert not SyncWorker(session, None, inbox).run_once().offline
    [item] = [item for item in inbox.items() if item.id not in before]
    return inbox, item


def _crl(endpoint, serial: int, revoked_at: dt.datetime,
         reason: x509.ReasonFlags | None = None,
         invalid_since: dt.datetime | None = None) -> x509.CertificateRevocationList:
    """A CRL signed by the endpoint's root key (read from its database), one entry."""
    database = open_database(endpoint.database_url)
    try:
        with database.transaction() as tx:
            cert_pem, key_pem = tx.one("SELECT cert_pem, key_pem FROM ca WHERE id = 1")
    finally:
        database.close()
    root = x509.load_pem_x509_certificate(cert_pem.encode())
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
    if reason is not None:
        entry = entry.add_extension(x509.CRLReason(reason), critical=False)
    if invalid_since is not None:
        entry = entry.add_extension(x509.InvalidityDate(invalid_since), critical=False)
    now = dt.datetime.now(UTC)
    return (x509.CertificateRevocationListBuilder().issuer_name(root.subject)
            .last_update(now - dt.timedelta(minutes=1)).next_update(now + dt.timedelta(days=1))
            .add_revoked_certificate(entry.build()).sign(key, hashes.SHA256()))


def _events(session, name: str) -> list[dict]:
    return [e["detail"] for e in session.audit.entries() if e["event"] == name]


def _verified_at(item) -> dt.datetime:
    return dt.datetime.fromtimestamp(item.verdict["verified_at"], UTC)


def test_letter_verified_before_the_leaver_was_revoked_opens_with_a_caution(
        endpoint, bob, dave, png_bytes):
    _send(dave, bob, png_bytes(31))
    inbox, item = _receive(bob)
    try:
        assert item.state == "verified"
        first = inbox.open(item.id, crl=bob.crl(refresh=True))
        assert first.verification.sender_revoked is None and item.revocation_mark == ""
        time.sleep(1.1)  # the endpoint dates revocations in whole seconds
        database = open_database(endpoint.database_url)
        try:
            assert admin.revoke(database, staff_id=dave.staff_id, reason="left") == 2
        finally:
            database.close()
        assert not SyncWorker(bob, None, inbox).run_once().offline  # brings the new CRL
        listed = inbox.get(item.id)
        assert listed.state == "opened" and listed.revocation_mark.startswith(
            "⚠ sender revoked since ")
        assert listed.as_json()["sender_revoked"]["opens"] is True  # medsnap inbox --json
        letter = inbox.open(item.id, crl=bob.crl(refresh=False))
    finally:
        inbox.close()
    assert letter.note == "check line 3" and letter.sender.staff_id == dave.staff_id
    revoked = letter.verification.sender_revoked
    assert revoked is not None and revoked.revocation.reason == "cessationOfOperation"
    assert revoked.arrived_at == _verified_at(item) < revoked.revocation.revoked_at
    caution = revoked.caution(letter.sender.display_name)
    assert "Verified when it arrived on" in caution and "Dave Dunn's certificate was revoked" \
        in caution
    [mark] = [d for d in _events(bob, "sender_revoked") if d["id"] == item.id]
    assert mark["opens"] is True and mark["sender"] == dave.staff_id
    [shown] = [d for d in _events(bob, "accepted_despite_revocation") if d["id"] == item.id]
    assert shown["verified_at"] == item.verdict["verified_at"] < shown["revoked_at"]


def test_letter_that_arrived_after_the_revocation_stays_refused_even_backdated(
        endpoint, bob, dave, png_bytes):
    """Signed as if written two days ago; this workstation only saw it now, after the date
    the CRL gives (which reached this workstation late): refused, and the list says so."""
    _send(dave, bob, png_bytes(32), now=dt.datetime.now(UTC) - dt.timedelta(days=2))
    inbox, item = _receive(bob)
    try:
        assert item.state == "verified"  # the endpoint's CRL did not list Dave yet
        crl = _crl(endpoint, dave.clinician.certificates.signing.serial_number,
                   _verified_at(item) - dt.timedelta(hours=1))
        with pytest.raises(SenderCertificateRevoked) as refusal:
            inbox.open(item.id, crl=crl)
        listed = inbox.get(item.id)
    finally:
        inbox.close()
    assert "revoked" in refusal.value.message and "Nothing" in refusal.value.message
    assert listed.state == "verified"  # never shown, no read receipt
    assert listed.revocation_mark.endswith(": will not open")
    assert any(d["id"] == item.id and d["reason"] == "SenderCertificateRevoked"
               for d in _events(bob, "refused"))


def test_key_compromise_refuses_even_a_letter_that_arrived_earlier_and_marks_it(
        endpoint, bob, dave, png_bytes):
    _send(dave, bob, png_bytes(33))
    inbox, item = _receive(bob)
    try:
        inbox.open(item.id, crl=bob.crl(refresh=False))  # read once while Dave was valid
        crl = _crl(endpoint, dave.clinician.certificates.signing.serial_number,
                   _verified_at(item) + dt.timedelta(hours=1), x509.ReasonFlags.key_compromise)
        inbox.fetch(crl)  # a sync brings it: the list is marked before anything is opened
        listed = inbox.get(item.id)
        with pytest.raises(SenderKeyCompromised) as refusal:
            inbox.open(item.id, crl=crl)
    finally:
        inbox.close()
    assert listed.revocation_mark.endswith("(key compromised): will not open")
    assert listed.as_json()["sender_revoked"] == {
        "revoked_at": int(_verified_at(item).timestamp()) + 3600, "reason": "keyCompromise",
        "opens": False}
    assert "key may have been used by someone else" in refusal.value.message
    assert any(d["id"] == item.id and d["reason"] == "SenderKeyCompromised"
               for d in _events(bob, "refused"))
    assert not any(d["id"] == item.id for d in _events(bob, "accepted_despite_revocation"))


def test_key_suspect_since_before_arrival_is_refused(endpoint, bob, dave, png_bytes):
    """A leaver, but the CRL's invalidityDate puts the key in doubt before arrival."""
    _send(dave, bob, png_bytes(34))
    inbox, item = _receive(bob)
    try:
        arrived = _verified_at(item)
        crl = _crl(endpoint, dave.clinician.certificates.signing.serial_number,
                   arrived + dt.timedelta(hours=1), x509.ReasonFlags.cessation_of_operation,
                   invalid_since=arrived - dt.timedelta(hours=1))
        with pytest.raises(SenderCertificateRevoked):
            inbox.open(item.id, crl=crl)
        later = _crl(endpoint, dave.clinician.certificates.signing.serial_number,
                     arrived + dt.timedelta(hours=1), x509.ReasonFlags.cessation_of_operation,
                     invalid_since=arrived + dt.timedelta(minutes=30))
        letter = inbox.open(item.id, crl=later)  # suspect only after it arrived: shown
    finally:
        inbox.close()
    assert letter.verification.sender_revoked is not None
