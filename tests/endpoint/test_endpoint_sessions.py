"""Session keys (POST /v1/session): HMAC-signed requests, checked as device-signed ones are
(replay, body, Host, certificate and account on every request), and refused once expired,
forged, used by another device key, or opened by a session."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import time

import pytest
from endpoint_harness import EndpointServer, with_hospital_ca
from endpoint_support import GENEROUS_LIMITS, enrolment_factory

from medsnap_endpoint.client import EndpointClient, EndpointRefused


def _session_client(make) -> EndpointClient:
    client = make()
    client.sessions = True
    return client


def _refusal(client: EndpointClient, request) -> tuple[int, str, str]:
    answer = client.send_request(request)
    body = answer.json()
    return answer.status_code, body["error"], body["message"]


def _audit_refusals(server, staff_id: str) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in server.admin("export-audit").stdout.splitlines()]
    return [(row["subject"], row["outcome"]) for row in rows
            if row["actor"] == staff_id and row["outcome"].startswith("refused")]


def test_a_session_signs_every_exchange_and_is_opened_once(server, enrol, tmp_path):
    alice, bob = _session_client(enrol), _session_client(enrol)
    session = alice.session()
    assert session is not None and alice.session() is session  # one Ed25519 request in all
    letter = tmp_path / "letter.age"
    letter.write_bytes(os.urandom(5000))
    assert alice.send("by-session", [bob.staff_id], b"ciphertext")["duplicate"] is False
    assert alice.send("from-a-file", [bob.staff_id], letter)["size"] == 5000
    items = {item["message_id"]: item["id"] for item in bob.inbox()}
    assert bob.download(items["by-session"]) == b"ciphertext"
    assert bob.acknowledge(items["by-session"])["status"] == "delivered"
    assert alice.status("by-session")["recipients"][0]["status"] == "delivered"
    assert [c["staff_id"] for c in alice.search(bob.staff_id)] == [bob.staff_id]
    assert alice.session() is session
    request = alice.signed_request("GET", "/v1/inbox", session=session)
    assert request.headers["X-MedSnap-Session"] == session.token
    assert "session" not in repr(session)  # neither token nor key in a printed session


def test_a_session_request_is_refused_when_replayed_or_its_body_changed(server, enrol):
    alice, bob = _session_client(enrol), _session_client(enrol)
    request = alice.upload_request("once", [bob.staff_id], b"ciphertext",
                                   session=alice.session())
    assert alice.send_request(request).status_code == 201
    status, code, message = _refusal(alice, request)
    assert (status, code) == (401, "unauthorized") and "replayed nonce" in message
    tampered = alice.upload_request("twice", [bob.staff_id], b"ciphertext",
                                    session=alice.session())
    tampered.body = b"CIPHERTEXT"  # same length, other bytes
    assert _refusal(alice, tampered)[:2] == (401, "body_mismatch")
    assert [item["message_id"] for item in bob.inbox()] == ["once"]


def test_forged_tokens_and_wrong_session_keys_are_refused(server, enrol):
    alice = _session_client(enrol)
    session = alice.session()
    version, key_id, expires, nonce, sealed = session.token.split(".")
    later = f"{version}.{key_id}.{int(expires) + 3600}.{nonce}.{sealed}"  # longer, same seal
    random_seal = base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode()
    short_seal = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    for token, reason in [(later, "not issued by this endpoint"),
                          (f"{version}.{key_id}.{expires}.{nonce}.{random_seal}",
                           "not issued by this endpoint"),
                          (f"{version}.{key_id}.{expires}.{nonce}.{short_seal}", "malformed"),
                          (f"1.{key_id}.{expires}.{sealed}", "malformed"),  # version 1's form
                          ("3." + session.token[2:], "malformed"),
                          ("not-a-token", "malformed")]:
        forged = dataclasses.replace(session, token=token)
        status, code, message = _refusal(alice, alice.signed_request("GET", "/v1/inbox",
                                                                     session=forged))
        assert (status, code) == (401, "session_refused") and reason in message, message
    guessed_key = dataclasses.replace(session, key=os.urandom(32))
    status, code, message = _refusal(alice, alice.signed_request("GET", "/v1/inbox",
                                                                 session=guessed_key))
    assert (status, code) == (401, "unauthorized") and "signature does not match" in message
    assert alice.inbox() == []


def test_a_session_is_bound_to_its_clinicians_device_key(server, enrol):
    alice, bob = _session_client(enrol), _session_client(enrol)
    alice.send("for-bob", [bob.staff_id], b"ciphertext")
    stolen = alice.session()  # alice's token and key, presented with bob's key id
    request = bob.signed_request("GET", "/v1/inbox", session=stolen)
    status, code, message = _refusal(bob, request)
    assert (status, code) == (401, "session_refused") and "another device key" in message
    assert [item["message_id"] for item in bob.inbox()] == ["for-bob"]


def test_a_session_cannot_open_another(server, enrol):
    alice = _session_client(enrol)
    request = alice.signed_request("POST", "/v1/session", session=alice.session())
    status, code, message = _refusal(alice, request)
    assert (status, code) == (401, "session_refused") and "device key" in message


def test_disabling_or_revoking_refuses_an_open_session_at_once(server, enrol):
    alice, bob = _session_client(enrol), _session_client(enrol)
    assert alice.session() is not None and bob.session() is not None
    server.admin("disable", alice.staff_id)
    with pytest.raises(EndpointRefused) as disabled:
        alice.inbox()
    assert disabled.value.status == 401 and "disabled" in disabled.value.message
    server.admin("enable", alice.staff_id)
    assert alice.inbox() == []
    server.admin("revoke", "--staff-id", bob.staff_id)
    with pytest.raises(EndpointRefused) as revoked:
        bob.send("after-revoke", [alice.staff_id], b"ciphertext")
    assert revoked.value.status == 401
    assert _audit_refusals(server, alice.staff_id) == [("GET /v1/inbox", "refused: disabled")]
    assert _audit_refusals(server, bob.staff_id) == [("POST /v1/messages", "refused: revoked")]
    assert alice.inbox() == []


def test_an_expired_session_is_refused_and_the_client_opens_a_new_one(start_server):
    server = start_server("sqlite", "--session-seconds", "1", "--access-log",
                          "--log-level", "info")
    make = enrolment_factory(server)
    alice = _session_client(make)
    old = alice.session()
    assert alice.inbox() == []
    time.sleep(2.1)
    status, code, message = _refusal(alice, alice.signed_request("GET", "/v1/inbox",
                                                                 session=old))
    assert (status, code) == (401, "session_refused") and "expired" in message
    alice.session_keeper.replace(dataclasses.replace(old, renew_at=float("inf")))  # 'valid'
    assert alice.inbox() == []  # refused, a new session opened, sent again
    assert alice.session() is not old
    log = server.log()
    assert "refused GET '/v1/inbox'" in log and "/v1/session" in log  # logged, but ...
    for session in (old, alice.session()):  # ... never a token or a session key
        assert session.token not in log and session.token.rsplit(".", 1)[1] not in log
        assert base64.b64encode(session.key).decode() not in log
    for client in make.clients:  # type: ignore[attr-defined]
        client.close()


def test_a_client_falls_back_to_device_signatures_without_the_route(server, enrol):
    alice = _session_client(enrol)
    alice.session_path = "/v1/no-such-route"  # answered 404, as by an endpoint before sessions
    assert alice.session() is None and alice.session_keeper.available is False
    request = alice.signed_request("GET", "/v1/inbox")
    assert "X-MedSnap-Session" not in request.headers
    assert alice.inbox() == []


def test_a_session_opened_at_one_process_signs_at_another(make_database_url):
    # processes keep no state: the second derives the same secret from the shared root key
    url = with_hospital_ca(make_database_url("postgresql"), "Two Process Root")
    first, second = (EndpointServer(url, GENEROUS_LIMITS).start() for _ in range(2))
    try:
        make = enrolment_factory(first)
        alice, bob = _session_client(make), _session_client(make)
        session = alice.session()
        elsewhere = EndpointClient(second.url, alice.keys, sessions=True)
        elsewhere.session_keeper.replace(session)
        assert elsewhere.send("via-second", [bob.staff_id], b"ciphertext")["duplicate"] is False
        assert elsewhere.session() is session  # accepted there: no new session was opened
        assert [item["message_id"] for item in bob.inbox()] == ["via-second"]
        elsewhere.close()
        for client in make.clients:  # type: ignore[attr-defined]
            client.close()
    finally:
        first.stop()
        second.stop()
