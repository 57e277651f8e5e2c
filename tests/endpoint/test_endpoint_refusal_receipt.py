"""Refusal receipts: a letter the recipient's app acknowledged but refused to open is reported
to its sender as refused, with why, never as delivered. Real server, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid

import pytest
from endpoint_harness import ENDPOINT_COMMAND
from endpoint_support import enrolment_factory

from medsnap_endpoint.client import EndpointClient, EndpointRefused
from medsnap_endpoint.migrations import current_version
from medsnap_endpoint.protocol import REFUSAL_REASONS
from medsnap_endpoint.storage import open_database

JSON = {"Content-Type": "application/json"}


def _message_id() -> str:
    return f"letter-{uuid.uuid4().hex[:12]}"


def _stored(sender: EndpointClient, recipient: EndpointClient, message_id: str) -> str:
    """Send one message; its item id in the recipient's inbox (not acknowledged)."""
    sender.send(message_id, [recipient.staff_id], os.urandom(2000))
    return next(m["id"] for m in recipient.inbox() if m["message_id"] == message_id)


def _delivered(sender: EndpointClient, recipient: EndpointClient, message_id: str) -> str:
    """Send, download and acknowledge one message, as the app does before opening it."""
    item = _stored(sender, recipient, message_id)
    recipient.download(item)
    assert recipient.acknowledge(item)["status"] == "delivered"
    return item


def _refusal(client: EndpointClient, item: str, body: bytes):
    """The answer to a signed refusal receipt with exactly this body."""
    return client.send_request(client.signed_request(
        "POST", f"/v1/inbox/{item}/refused", content=body, headers=JSON))


def _delivery(sender: EndpointClient, message_id: str, staff_id: str) -> dict:
    return next(r for r in sender.status(message_id)["recipients"] if r["staff_id"] == staff_id)


def _refused(call, code: str, status: int = 409) -> None:
    with pytest.raises(EndpointRefused) as refused:
        call()
    assert (refused.value.status, refused.value.code) == (status, code), refused.value.message


def _audit_rows(running, action: str, subject: str) -> list[dict]:
    rows = [json.loads(line) for line in running.admin("export-audit").stdout.splitlines()]
    return [row for row in rows if row["action"] == action and row["subject"] == subject]


def _audit_intact(running) -> None:
    result = running.admin("verify-audit", check=False)
    assert result.returncode == 0 and json.loads(result.stdout)["intact"], result.stdout


def test_a_refused_letter_is_reported_to_its_sender_as_refused_with_why(server, enrol):
    alice, bob, carol = enrol("Alice"), enrol("Bob"), enrol("Carol")
    message_id = _message_id()
    alice.send(message_id, [bob.staff_id, carol.staff_id], os.urandom(5000))
    item = next(m["id"] for m in bob.inbox() if m["message_id"] == message_id)
    bob.download(item)
    bob.acknowledge(item)
    before = int(time.time())
    assert bob.mark_refused(item, "altered") == {"id": item, "status": "refused",
                                                 "reason": "altered"}
    after = int(time.time())

    refused = _delivery(alice, message_id, bob.staff_id)
    assert refused["status"] == "refused" and refused["refusal"] == "altered"
    assert before <= refused["refused_at"] <= after
    assert refused["delivered_at"] is not None and refused["read_at"] is None
    waiting = _delivery(alice, message_id, carol.staff_id)  # the other recipient: untouched
    assert waiting["status"] == "stored"
    assert waiting["refused_at"] is None and waiting["refusal"] is None

    # repeated (the app retries after a lost answer): the first refusal stands, nothing written
    assert bob.mark_refused(item, "damaged") == {"id": item, "status": "refused",
                                                 "reason": "altered"}
    assert _delivery(alice, message_id, bob.staff_id) == refused
    # acknowledging again answers its state; a refused letter cannot be marked read
    assert bob.acknowledge(item)["status"] == "refused"
    _refused(lambda: bob.mark_read(item), "refused")
    assert _delivery(alice, message_id, bob.staff_id) == refused

    [row] = _audit_rows(server, "refuse", message_id)
    assert row["actor"] == bob.staff_id and row["outcome"] == "ok"
    assert json.loads(row["detail"]) == {"from": alice.staff_id, "reason": "altered"}
    assert _audit_rows(server, "read", message_id) == []
    _audit_intact(server)


def test_every_reason_reaches_the_sender(server, enrol):
    alice, bob = enrol(), enrol()
    sent = {reason: _message_id() for reason in REFUSAL_REASONS}
    for reason, message_id in sent.items():
        assert bob.mark_refused(_delivered(alice, bob, message_id), reason)["reason"] == reason
    for reason, message_id in sent.items():
        assert _delivery(alice, message_id, bob.staff_id)["refusal"] == reason


def test_a_letter_not_yet_acknowledged_cannot_be_refused(server, enrol):
    alice, bob = enrol(), enrol()
    message_id = _message_id()
    item = _stored(alice, bob, message_id)
    _refused(lambda: bob.mark_refused(item, "damaged"), "not_acknowledged")
    assert _delivery(alice, message_id, bob.staff_id)["status"] == "stored"
    assert [m["id"] for m in bob.inbox()] == [item]  # still waiting, ciphertext kept
    assert _audit_rows(server, "refuse", message_id) == []


def test_an_opened_letter_cannot_be_refused(server, enrol):
    alice, bob = enrol(), enrol()
    message_id = _message_id()
    item = _delivered(alice, bob, message_id)
    assert bob.mark_read(item)["status"] == "read"
    _refused(lambda: bob.mark_refused(item, "expired"), "already_read")
    read = _delivery(alice, message_id, bob.staff_id)
    assert read["status"] == "read" and read["refused_at"] is None and read["refusal"] is None
    assert _audit_rows(server, "refuse", message_id) == []


@pytest.mark.parametrize("body", [
    b"", b"altered", b'"altered"', b'["altered"]', b"{}", b'{"reason": null}',
    b'{"reason": 3}', b'{"reason": "bored"}', b'{"reason": "ALTERED"}', b'{"reason": ""}',
    b'{"reason": "altered"', b'{"reason": "altered\\u0000"}', b"\xff\xfe{}",
    b"[" * 60_000,  # nested deeper than the parser goes, within the size limit
], ids=lambda body: repr(body[:24]))
def test_a_refusal_needs_one_of_the_reasons(server, enrol, body):
    alice, bob = enrol(), enrol()
    message_id = _message_id()
    item = _delivered(alice, bob, message_id)
    answer = _refusal(bob, item, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "bad_refusal_reason"
    assert all(reason in answer.json()["message"] for reason in REFUSAL_REASONS)
    assert _delivery(alice, message_id, bob.staff_id)["status"] == "delivered"


def test_a_body_over_the_json_limit_is_refused_unread(server, enrol):
    alice, bob = enrol(), enrol()
    item = _delivered(alice, bob, _message_id())
    padded = json.dumps({"reason": "altered", "pad": "x" * 70_000}).encode()
    assert _refusal(bob, item, padded).status_code == 413
    assert bob.mark_refused(item, "altered")["status"] == "refused"  # the item was untouched


def test_another_clinician_cannot_refuse_my_letter(server, enrol):
    alice, bob, mallory = enrol(), enrol(), enrol()
    message_id = _message_id()
    item = _delivered(alice, bob, message_id)
    for target in (item, "999999999999", "not-a-number"):
        _refused(lambda target=target: mallory.mark_refused(target, "not-for-me"),
                 "no_such_message", 404)
    assert _delivery(alice, message_id, bob.staff_id)["status"] == "delivered"
    assert _audit_rows(server, "refuse", message_id) == []


def test_an_unsigned_refusal_is_refused_and_changes_nothing(server, enrol):
    alice, bob = enrol(), enrol()
    message_id = _message_id()
    item = _delivered(alice, bob, message_id)
    answer = bob.send_request(bob.unsigned_request(
        "POST", f"/v1/inbox/{item}/refused", content=b'{"reason": "altered"}', headers=JSON))
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert _delivery(alice, message_id, bob.staff_id)["status"] == "delivered"


def test_a_read_and_a_refusal_at_once_leave_one_outcome(server, enrol):
    """Two devices of one clinician answer at once: one receipt wins, the other is refused."""
    alice, bob = enrol(), enrol()
    sent = [_message_id() for _ in range(6)]
    items = [_delivered(alice, bob, message_id) for message_id in sent]
    outcomes: dict[tuple[str, str], int] = {}

    def answer(kind: str, item: str) -> None:
        with EndpointClient(server.url, bob.keys) as device:
            request = (device.signed_request("POST", f"/v1/inbox/{item}/read")
                       if kind == "read" else device.signed_request(
                           "POST", f"/v1/inbox/{item}/refused", headers=JSON,
                           content=b'{"reason": "repeat"}'))
            outcomes[kind, item] = device.send_request(request).status_code

    threads = [threading.Thread(target=answer, args=(kind, item))
               for item in items for kind in ("read", "refused")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for message_id, item in zip(sent, items):
        pair = (outcomes["read", item], outcomes["refused", item])
        assert sorted(pair) == [200, 409], pair
        final = _delivery(alice, message_id, bob.staff_id)["status"]
        assert final == ("read" if pair[0] == 200 else "refused")
        winner = {"read": "read", "refused": "refuse"}[final]  # its audit action, alone
        assert len(_audit_rows(server, winner, message_id)) == 1
        loser = {"read": "refuse", "refused": "read"}[final]
        assert _audit_rows(server, loser, message_id) == []
    _audit_intact(server)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_letter_expired_unacknowledged_cannot_be_refused(backend, start_server):
    running = start_server(backend, "--retention-seconds", "1", "--sweep-interval-seconds", "0")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    message_id = _message_id()
    item = _stored(alice, bob, message_id)
    time.sleep(2.1)
    running.admin("sweep")
    _refused(lambda: bob.mark_refused(item, "expired"), "message_gone", 410)
    expired = _delivery(alice, message_id, bob.staff_id)
    assert expired["status"] == "expired" and expired["refusal"] is None


def _as_version_7(url: str) -> None:
    """Take migration 8 back out, leaving the schema a version 7 endpoint made."""
    database = open_database(url, migrate=False)
    try:
        with database.transaction(write=True) as tx:
            tx.execute("ALTER TABLE deliveries DROP COLUMN refusal")
            tx.execute("ALTER TABLE deliveries DROP COLUMN refused_at")
            tx.execute("DELETE FROM schema_migrations WHERE version = 8")
        assert current_version(database) == 7
    finally:
        database.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_version_7_database_keeps_its_deliveries_and_takes_refusals(backend, start_server):
    running = start_server(backend)
    make = enrolment_factory(running)
    alice, bob = make(), make()
    waiting, delivered, read = _message_id(), _message_id(), _message_id()
    _stored(alice, bob, waiting)
    delivered_item = _delivered(alice, bob, delivered)
    bob.mark_read(_delivered(alice, bob, read))
    before = {m: alice.status(m) for m in (waiting, delivered, read)}
    running.stop()
    _as_version_7(running.database_url)

    migrated = subprocess.run([*ENDPOINT_COMMAND, "migrate", "--database",
                               running.database_url], capture_output=True, text=True,
                              timeout=60, check=True)  # as IT upgrades an endpoint
    assert json.loads(migrated.stdout) == {"schema_version": 8}
    running.start()
    for message_id, earlier in before.items():
        assert alice.status(message_id) == earlier  # every delivery kept, as it was
    assert [r["status"] for m in (waiting, delivered, read)
            for r in alice.status(m)["recipients"]] == ["stored", "delivered", "read"]
    assert bob.mark_refused(delivered_item, "sender-not-confirmed")["status"] == "refused"
    assert _delivery(alice, delivered, bob.staff_id)["refusal"] == "sender-not-confirmed"
    _audit_intact(running)
