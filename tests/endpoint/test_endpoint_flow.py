"""The whole exchange against a real server process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import time

import pytest
from endpoint_support import enrolment_factory
from cryptography import x509

from medsnap.crypto.certificates import validate_clinician
from medsnap_endpoint.client import EndpointClient, EndpointRefused


def test_enrolment_issues_certificates_that_validate_against_root_and_crl(server):
    alice = enrolment_factory(server)("Alice Able")
    entry = alice.lookup(alice.staff_id)
    root = x509.load_pem_x509_certificate(alice.root_pem())
    crl = x509.load_pem_x509_crl(alice.crl_pem())
    for usage, field in (("encryption", "encryption_certificate"),
                         ("signing", "signing_certificate")):
        cert = x509.load_pem_x509_certificate(entry[field].encode())
        identity = validate_clinician(cert, root=root, crl=crl, usage=usage)
        assert identity.staff_id == alice.staff_id
        assert identity.display_name == "Alice Able"


def test_search_by_name_role_and_department(server, enrol):
    marker = os.urandom(4).hex()
    nurse = enrol(f"Nadia {marker} Nurse", role="Staff Nurse", department=f"Ward {marker}")
    consultant = enrol(f"Colin {marker} Consultant", role="Consultant",
                       department=f"Ward {marker}")
    by_name = {c["staff_id"] for c in nurse.search(name=f"nadia {marker}")}
    assert by_name == {nurse.staff_id}
    by_department = {c["staff_id"] for c in nurse.search(department=f"ward {marker}")}
    assert by_department == {nurse.staff_id, consultant.staff_id}
    both = nurse.search(department=f"ward {marker}", role="consultant")
    assert [c["staff_id"] for c in both] == [consultant.staff_id]
    assert "BEGIN CERTIFICATE" in both[0]["encryption_certificate"]
    assert nurse.search(name="%") == []  # wildcards are matched literally


def test_send_receive_acknowledge_and_receipts(server, enrol):
    alice, bob, carol = enrol("Alice"), enrol("Bob"), enrol("Carol")
    ciphertext = os.urandom(300_000)
    stored = alice.send("msg-1", [bob.staff_id, carol.staff_id], ciphertext)
    assert stored["duplicate"] is False and stored["size"] == len(ciphertext)
    assert stored["sha256"] == hashlib.sha256(ciphertext).hexdigest()

    # idempotent on the message id: resending stores nothing new
    again = alice.send("msg-1", [carol.staff_id, bob.staff_id], ciphertext)
    assert again["duplicate"] is True
    with pytest.raises(EndpointRefused) as reused:
        alice.send("msg-1", [bob.staff_id], b"different")
    assert reused.value.status == 409

    [item] = bob.inbox()
    assert item["sender"] == alice.staff_id and item["message_id"] == "msg-1"
    assert bob.download(item["id"]) == ciphertext
    status = {r["staff_id"]: r for r in alice.status("msg-1")["recipients"]}
    assert status[bob.staff_id]["status"] == "stored"
    assert status[bob.staff_id]["downloaded_at"] is not None

    with pytest.raises(EndpointRefused) as early:
        bob.mark_read(item["id"])
    assert early.value.status == 409
    assert bob.acknowledge(item["id"])["status"] == "delivered"
    assert bob.acknowledge(item["id"])["status"] == "delivered"  # idempotent
    assert bob.inbox() == []
    with pytest.raises(EndpointRefused) as gone:
        bob.download(item["id"])
    assert gone.value.status == 410
    assert bob.mark_read(item["id"])["status"] == "read"

    # Carol has not acknowledged: her copy is intact although Bob's is gone
    [carol_item] = carol.inbox()
    assert carol.download(carol_item["id"]) == ciphertext
    status = {r["staff_id"]: r for r in alice.status("msg-1")["recipients"]}
    assert status[bob.staff_id]["status"] == "read"
    assert status[bob.staff_id]["delivered_at"] and status[bob.staff_id]["read_at"]
    assert status[carol.staff_id]["status"] == "stored"
    carol.acknowledge(carol_item["id"])
    assert alice.status("msg-1")["recipients"][0]["status"] in ("read", "delivered")


def test_unknown_or_disabled_recipient_is_a_clear_error_and_nothing_is_sent(server, enrol):
    alice, bob = enrol(), enrol()
    server.admin("disable", bob.staff_id)
    with pytest.raises(EndpointRefused) as refused:
        alice.send("to-nobody", ["NOSUCHPERSON", bob.staff_id], b"ciphertext")
    assert refused.value.status == 422
    assert refused.value.details == {"unknown": ["NOSUCHPERSON"], "disabled": [bob.staff_id]}
    with pytest.raises(EndpointRefused) as missing:
        alice.status("to-nobody")
    assert missing.value.status == 404
    server.admin("enable", bob.staff_id)
    alice.send("to-bob", [bob.staff_id], b"ciphertext")
    assert [m["message_id"] for m in bob.inbox()] == ["to-bob"]


def test_key_file_deposit_and_fetch_from_another_workstation(server, enrol):
    alice = enrol()
    wrapped = b"age-encryption.org/v1\n-> scrypt ...\n" + os.urandom(500)
    alice.deposit_key_file(wrapped)
    with EndpointClient(server.url) as new_workstation:
        assert new_workstation.fetch_key_file(alice.staff_id) == wrapped
        with pytest.raises(EndpointRefused) as missing:
            new_workstation.fetch_key_file("NOBODY-HERE")
        assert missing.value.status == 404


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_expiry_sweep_deletes_unacknowledged_messages_and_tells_the_sender(backend,
                                                                            start_server):
    running = start_server(backend, "--retention-seconds", "1", "--sweep-interval-seconds", "0")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    alice.send("soon-gone", [bob.staff_id], b"x" * 1000)
    alice.send("acked", [bob.staff_id], b"y" * 1000)
    acked = [m for m in bob.inbox() if m["message_id"] == "acked"][0]
    bob.acknowledge(acked["id"])
    time.sleep(2.1)
    result = running.admin("sweep")
    assert '"expired_deliveries": 1' in result.stdout
    assert bob.inbox() == []
    [delivery] = alice.status("soon-gone")["recipients"]
    assert delivery["status"] == "expired" and delivery["expired_at"]
    assert alice.status("acked")["recipients"][0]["status"] == "delivered"
    verified = running.admin("verify-audit")
    assert '"intact": true' in verified.stdout


def test_admin_sweep_purges_metadata_after_the_retention_serve_was_given(start_server):
    running = start_server("sqlite", "--retention-seconds", "1",
                           "--metadata-retention-seconds", "1", "--sweep-interval-seconds", "0")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    alice.send("forgotten", [bob.staff_id], b"x" * 1000)
    time.sleep(2.1)  # past its retention and, once expired, its metadata's
    kept = json.loads(running.admin("sweep").stdout)  # the default 30 days: kept
    assert (kept["expired_deliveries"], kept["purged_messages"]) == (1, 0)
    purged = json.loads(running.admin("sweep", "--metadata-retention-seconds", "1").stdout)
    assert purged["purged_messages"] == 1
    with pytest.raises(EndpointRefused) as gone:
        alice.status("forgotten")
    assert gone.value.status == 404
