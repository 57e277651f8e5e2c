"""Two workstations against a real endpoint process: enrol, send, sync, receive, open."""

from __future__ import annotations

import pytest
from messaging_support import PASSPHRASE, add_clinician

from medsnap.imaging import find_metadata
from medsnap.messaging.compose import queue_letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.session import enrol, sign_in
from medsnap.messaging.sync import SyncWorker


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    """Alice and Bob enrolled on their own workstations."""
    people = []
    for name in ("Alice Archer", "Bob Baker"):
        desk = make_desk()
        people.append((desk, desk.enrol(endpoint, name)))
    yield people
    for _desk, session in people:
        session.close()


def test_send_sync_receive_open(pair, png_bytes):
    (alice_desk, alice), (bob_desk, bob) = pair
    image = png_bytes(1)
    outbox = Outbox(alice.profile.outbox_path)
    message_id = queue_letter(alice, outbox, image, [bob.staff_id], note="see line 3",
                              declaration="direct-care")
    assert outbox.get(message_id).state == "queued"
    report = SyncWorker(alice, outbox).run_once()
    assert report.sent == [message_id] and not report.offline
    assert outbox.get(message_id).state == "sent"

    inbox = Inbox(bob)
    report = SyncWorker(bob, Outbox(bob.profile.outbox_path), inbox).run_once()
    assert (report.received, report.refused) == (1, 0)
    [item] = inbox.items()
    assert item.state == "verified" and item.verdict["from_staff_id"] == alice.staff_id
    letter = inbox.open(item.id)
    assert letter.image == image and letter.note == "see line 3"
    assert letter.declaration == "direct-care"
    assert find_metadata(letter.image) == []  # the received image passes the verifier

    SyncWorker(alice, outbox).run_once()
    assert outbox.get(message_id).state == "read"
    events = [e["event"] for e in alice.audit.entries()]
    assert events[:2] == ["enrol", "queued"] and "sent" in events and "read" in events
    assert [e["event"] for e in bob.audit.entries()][-2:] == ["received", "opened"]


def test_sign_in_on_a_fresh_workstation_restores_keys(pair, make_desk):
    (_alice_desk, alice), _bob = pair
    fresh = make_desk()
    session = sign_in(fresh.workstation, alice.staff_id, PASSPHRASE,
                      endpoint_url=alice.transport.url, keystore=fresh.keystore)
    try:
        assert session.keys.keys.same_keys_as(alice.keys.keys)
        assert fresh.keystore.has(alice.staff_id)
        assert session.profile.facts()["display_name"] == "Alice Archer"
    finally:
        session.close()


def test_wrong_passphrase_on_a_fresh_workstation_stores_nothing(pair, make_desk):
    from medsnap.crypto.keystore import WrongPassphrase

    (_alice_desk, alice), _bob = pair
    fresh = make_desk()
    with pytest.raises(WrongPassphrase):
        sign_in(fresh.workstation, alice.staff_id, "a different long passphrase 9",
                endpoint_url=alice.transport.url, keystore=fresh.keystore)
    assert not fresh.keystore.has(alice.staff_id)


def test_lock_drops_keys(pair):
    from medsnap.messaging.errors import NotSignedIn

    (desk, signed_in), _bob = pair
    alice = sign_in(desk.workstation, signed_in.staff_id, PASSPHRASE, keystore=desk.keystore)
    alice.clinician  # unlocked
    alice.lock()
    assert alice.keys.is_locked and alice.transport.client.keys is None
    with pytest.raises(NotSignedIn):
        alice.clinician


def test_drafts_round_trip_encrypted_to_own_key(pair):
    from medsnap.errors import DocumentError
    from medsnap.messaging.drafts import DraftStore

    (_desk, alice), (_bob_desk, bob) = pair
    drafts = DraftStore(alice.profile.drafts_folder, alice.audit)
    draft_id = drafts.new_id()
    payload = b'{"document": 1}' + b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    drafts.save(draft_id, payload, alice.clinician.certificates.encryption_key)
    drafts.save(draft_id, payload + b"more", alice.clinician.certificates.encryption_key)
    [info] = drafts.pending()
    assert info.id == draft_id
    stored = (alice.profile.drafts_folder / f"{draft_id}.age").read_bytes()
    assert b"\x89PNG" not in stored and b'"document"' not in stored
    assert drafts.restore(draft_id, alice.keys.encryption_key) == payload + b"more"
    with pytest.raises(DocumentError):
        drafts.restore(draft_id, bob.keys.encryption_key)
    assert drafts.delete(draft_id) and drafts.pending() == []


def test_idle_lock_follows_the_timeout(pair):
    (desk, signed_in), _bob = pair
    alice = sign_in(desk.workstation, signed_in.staff_id, PASSPHRASE, keystore=desk.keystore)
    alice.touch(now=1000.0)
    assert not alice.lock_if_idle(5, now=1000.0 + 299)
    assert alice.lock_if_idle(5, now=1000.0 + 300)
    assert alice.keys.is_locked and alice.audit.entries()[-1]["event"] == "lock"


def test_retention_policy_deletes_old_letters(pair, png_bytes):
    (_desk, alice), (_bob_desk, bob) = pair
    outbox = Outbox(alice.profile.outbox_path)
    queue_letter(alice, outbox, png_bytes(3), [bob.staff_id], expires_days=60)
    SyncWorker(alice, outbox).run_once()
    inbox = Inbox(bob)
    inbox.fetch()
    newest = inbox.items()[-1]
    assert newest.id not in inbox.delete_expired(retention_days=30)
    deleted = inbox.delete_expired(now=newest.received_at + 31 * 86400, retention_days=30)
    assert newest.id in deleted
    assert bob.audit.entries()[-1]["detail"]["why"] == "retention"


def test_the_policy_is_read_only_when_the_shortest_retention_could_delete(pair, png_bytes,
                                                                          monkeypatch):
    from medsnap.config.settings import SETTINGS_BY_KEY
    from medsnap.messaging import inbox as inbox_module

    assert inbox_module.SHORTEST_RETENTION_DAYS == SETTINGS_BY_KEY["retention_days"].minimum
    (_desk, alice), (_bob_desk, bob) = pair
    outbox = Outbox(alice.profile.outbox_path)
    queue_letter(alice, outbox, png_bytes(4), [bob.staff_id], expires_days=60)
    SyncWorker(alice, outbox).run_once()
    inbox = Inbox(bob)
    inbox.fetch()
    newest = inbox.items()[-1]
    asked = []
    monkeypatch.setattr(inbox_module, "_retention_days",
                        lambda _session: asked.append(1) or (30, 30))
    assert inbox.delete_expired(now=newest.received_at + 3600) == [] and not asked
    assert newest.id not in inbox.delete_expired(now=newest.received_at + 2 * 86400)
    assert asked  # an older letter: the policy decides
    assert newest.id in inbox.delete_expired(now=newest.received_at + 31 * 86400)


def test_enrol_refuses_an_endpoint_whose_root_is_not_the_pinned_one(endpoint, make_desk):
    from medsnap.messaging.errors import ProfileError

    staff_id, code = add_clinician(endpoint, "Pinned Person")
    desk = make_desk()
    desk.workstation.update(root_fingerprint="ab" * 32)
    with pytest.raises(ProfileError, match="does not trust"):
        enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=desk.keystore)
    assert not desk.keystore.has(staff_id)
    desk.workstation.update(root_fingerprint="")  # the code was not spent: it still works
    enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
          keystore=desk.keystore).close()
