"""Letters that must be refused, delivered through the real endpoint: the reason is kept and
audited, nothing is shown, and the message is still acknowledged (it is stored here)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from messaging_support import PASSPHRASE, add_clinician

from medsnap.crypto.letter import seal
from medsnap.crypto.letter_model import Letter
from medsnap.messaging.errors import MessagingError
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.session import enrol
from medsnap.messaging.sync import SyncWorker
from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database


@pytest.fixture(scope="module")
def people(endpoint, make_desk):
    sessions = {}
    for name in ("Alice Archer", "Bob Baker", "Carol Cole"):
        sessions[name.split()[0].lower()] = make_desk().enrol(endpoint, name)
    yield sessions
    for session in sessions.values():
        session.close()


def _post(sender, to_staff_id: str, data: bytes) -> None:
    """Deposit bytes in a mailbox as the sender's device would (the endpoint cannot see inside)."""
    sender.transport.client.send(uuid.uuid4().hex, [to_staff_id], data)


def _sealed(sender, recipients, image: bytes) -> bytes:
    return seal(Letter(image=image, media_type="image/png", note="n"), sender.clinician,
                [sender.colleague(r.staff_id) for r in recipients], root=sender.root)


def _receive(session) -> tuple[Inbox, list]:
    """Fetch; the items that arrived in this fetch."""
    inbox = Inbox(session)
    before = {item.id for item in inbox.items()}
    report = SyncWorker(session, None, inbox).run_once()
    assert not report.offline
    return inbox, [item for item in inbox.items() if item.id not in before]


def _refusal_audited(session, refusal: str) -> bool:
    return any(e["event"] == "refused" and e["detail"]["reason"] == refusal
               for e in session.audit.entries())


def test_tampered_ciphertext_is_refused_with_the_reason(people, png_bytes):
    alice, bob = people["alice"], people["bob"]
    data = bytearray(_sealed(alice, [bob], png_bytes(11)))
    data[-100] ^= 0x01  # one bit in the encrypted payload
    _post(alice, bob.staff_id, bytes(data))
    inbox, [item] = _receive(bob)
    assert item.state == "refused" and item.verdict["refusal"] == "MalformedLetter"
    assert "damaged" in item.verdict["reason"]
    assert _refusal_audited(bob, "MalformedLetter")
    with pytest.raises(MessagingError, match="refused"):
        inbox.open(item.id)
    assert bob.transport.client.inbox() == []  # acknowledged: the endpoint deleted its copy


def test_letter_for_someone_else_is_refused(people, png_bytes):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    # sealed to Carol only (not even to Alice herself), then dropped in Bob's mailbox
    letter = Letter(image=png_bytes(12), media_type="image/png")
    data = seal(letter, alice.clinician, [alice.colleague(carol.staff_id)], include_self=False,
                root=alice.root)
    _post(alice, bob.staff_id, data)
    _inbox, [item] = _receive(bob)
    assert item.state == "refused" and item.verdict["refusal"] == "NotEncryptedForMe"
    assert _refusal_audited(bob, "NotEncryptedForMe")


def test_forwarded_letter_is_refused(people, png_bytes):
    """Carol can decrypt it (Bob's key was added) but the signed recipients name only Carol."""
    from medsnap.crypto import age

    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    sealed = seal(Letter(image=png_bytes(13), media_type="image/png"), alice.clinician,
                  [alice.colleague(carol.staff_id)], include_self=False, root=alice.root)
    plain = age.decrypt(sealed, [age.X25519Identity(carol.clinician.encryption_key)],
                        armored=False)
    forwarded = age.encrypt(plain, [age.X25519Recipient(bob.clinician.certificates.encryption_key)])
    _post(carol, bob.staff_id, forwarded)
    _inbox, [item] = _receive(bob)
    assert item.state == "refused" and item.verdict["refusal"] == "NotForMe"
    assert _refusal_audited(bob, "NotForMe")


def test_revoked_sender_is_refused(endpoint, people, make_desk, png_bytes):
    bob = people["bob"]
    dave = make_desk().enrol(endpoint, "Dave Dunn")
    try:
        _post(dave, bob.staff_id, _sealed(dave, [bob], png_bytes(14)))
        database = open_database(endpoint.database_url)
        try:
            admin.revoke(database, staff_id=dave.staff_id)
        finally:
            database.close()
        _inbox, [item] = _receive(bob)
    finally:
        dave.close()
    assert item.state == "refused" and item.verdict["refusal"] == "SenderCertificateRevoked"
    assert "revoked" in item.verdict["reason"].lower()
    assert _refusal_audited(bob, "SenderCertificateRevoked")


def test_expired_messages_are_deleted_and_audited(people, png_bytes):
    alice, bob = people["alice"], people["bob"]
    _post(alice, bob.staff_id, _sealed(alice, [bob], png_bytes(15)))
    inbox, [item] = _receive(bob)
    assert item.state == "verified"
    later = int((dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=15)).timestamp())
    assert item.id in inbox.delete_expired(now=later)
    assert inbox.items() == []
    assert bob.audit.entries()[-1]["event"] == "deleted"


def test_refused_send_is_failed_with_the_reason_and_can_be_retried(endpoint, people, make_desk,
                                                                    png_bytes):
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.outbox import Outbox

    alice = people["alice"]
    staff_id, code = add_clinician(endpoint, "Erin Ellis")
    desk = make_desk()
    enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
          keystore=desk.keystore).close()
    outbox = Outbox(alice.profile.outbox_path)
    message_id = queue_letter(alice, outbox, png_bytes(16), [staff_id])

    def set_enabled(enabled: bool) -> None:
        database = open_database(endpoint.database_url)
        try:
            admin.set_enabled(database, staff_id, enabled)
        finally:
            database.close()

    set_enabled(False)  # Erin's account is disabled while the message waits
    report = SyncWorker(alice, outbox).run_once()
    item = outbox.get(message_id)
    assert report.failed == [message_id] and item.state == "failed"
    assert "cannot receive" in item.reason and "disabled" in item.reason
    assert alice.audit.entries()[-1]["event"] == "failed"

    set_enabled(True)
    outbox.retry(message_id)
    assert SyncWorker(alice, outbox).run_once().sent == [message_id]
    outbox.close()
