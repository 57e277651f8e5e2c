"""The session key is agreed by X25519 and never travels (docs/PROTOCOL.md, "Session keys"):
what a body-logging proxy records does not let anyone sign; unusable or forged ephemeral keys
are refused; a session opened at one endpoint is refused by another under the same root."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from endpoint_harness import EndpointServer, with_hospital_ca
from endpoint_support import GENEROUS_LIMITS, enrolment_factory

from medsnap_endpoint import protocol as p
from medsnap_endpoint import session_agreement as agreement
from medsnap_endpoint.client import EndpointClient, EndpointRefused
from medsnap_endpoint.client_sessions import ClientSession, agreed_key
from medsnap_endpoint.storage import open_database

JSON = {"Content-Type": "application/json"}


def _open_by_hand(client: EndpointClient, public_key: bytes) -> tuple[str, str, dict]:
    """Open a session as the client does; returns the wire text of the request and the
    answer (what a proxy logging bodies and headers records) and the answer's fields."""
    body = json.dumps({"ephemeral_public_key": p.b64(public_key)}).encode()
    request = client.signed_request("POST", "/v1/session", content=body, headers=JSON)
    answer = client.send_request(request)
    request_text = json.dumps(request.headers) + request.body.decode()  # type: ignore[union-attr]
    return request_text, json.dumps(dict(answer.headers)) + answer.text, answer.json()


def _encodings(key: bytes) -> list[str]:
    return [base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode().rstrip("="),
            key.hex(), key.hex().upper()]


def _inbox_with(client: EndpointClient, token: str, key: bytes) -> tuple[int, str, str]:
    request = client.signed_request("GET", "/v1/inbox",
                                    session=ClientSession(token, key, float("inf")))
    answer = client.send_request(request)
    return answer.status_code, answer.json().get("error", ""), answer.json().get("message", "")


def test_the_answer_carries_no_key_and_a_recorded_exchange_cannot_sign(server, enrol):
    alice = enrol()
    ephemeral = X25519PrivateKey.generate()
    logged_request, logged_answer, opened = _open_by_hand(alice,
                                                          agreement.public_bytes(ephemeral))
    assert "session_key" not in opened and opened["endpoint_id"]
    key = agreed_key(ephemeral, opened)  # the device's own derivation, confirmed
    for text in _encodings(key):
        assert text not in logged_request and text not in logged_answer
    assert _inbox_with(alice, opened["session"], key)[0] == 200  # the device signs

    # the proxy's operator knows every public value but neither ephemeral private key
    server_public = p.unb64(opened["ephemeral_public_key"])
    client_public = agreement.public_bytes(ephemeral)
    own = X25519PrivateKey.generate()
    for guess in [
            agreement.session_key(agreement.shared_secret(own, server_public),
                                  endpoint_id=opened["endpoint_id"],
                                  head=agreement.token_head(opened["session"]),
                                  client_public=client_public, server_public=server_public),
            agreement.session_key(b"\0" * 32, endpoint_id=opened["endpoint_id"],
                                  head=agreement.token_head(opened["session"]),
                                  client_public=client_public, server_public=server_public),
            p.unb64(opened["key_confirmation"])]:
        status, code, message = _inbox_with(alice, opened["session"], guess)
        assert (status, code) == (401, "unauthorized") and "does not match" in message
    # and the recorded device-signed request cannot be sent again for a session of its own
    replay = alice.signed_request("POST", "/v1/session", content=json.dumps(
        {"ephemeral_public_key": p.b64(own.public_key().public_bytes_raw())}).encode(),
        headers=JSON)
    assert alice.send_request(replay).status_code == 201
    again = alice.send_request(replay)
    assert again.status_code == 401 and "replayed nonce" in again.json()["message"]


@pytest.mark.parametrize("body, says", [
    (b"", "not valid JSON"),
    (b"{}", "'ephemeral_public_key'"),
    (json.dumps({"ephemeral_public_key": "not base64!"}).encode(), "must be base64"),
    (json.dumps({"ephemeral_public_key": p.b64(b"\x09" * 31)}).encode(), "32 bytes"),
    (json.dumps({"ephemeral_public_key": p.b64(b"\0" * 32)}).encode(), "low-order"),
    (json.dumps({"ephemeral_public_key": p.b64(b"\x01" + b"\0" * 31)}).encode(), "low-order"),
])
def test_an_unusable_ephemeral_key_opens_no_session(server, enrol, body, says):
    alice = enrol()
    answer = alice.send_request(alice.signed_request("POST", "/v1/session", content=body,
                                                     headers=JSON))
    assert answer.status_code == 400 and "session" not in answer.json().get("details", {})
    assert says in answer.json()["message"], answer.json()["message"]


def test_a_forged_answer_gives_the_client_no_usable_session(server, enrol):
    alice = enrol()
    ephemeral = X25519PrivateKey.generate()
    _, _, opened = _open_by_hand(alice, agreement.public_bytes(ephemeral))
    # on the way back, someone swaps in their own ephemeral key: the confirmation fails
    forger = X25519PrivateKey.generate()
    swapped = {**opened, "ephemeral_public_key": p.b64(agreement.public_bytes(forger))}
    for forged in (swapped, {**opened, "key_confirmation": p.b64(b"\0" * 32)},
                   {**opened, "ephemeral_public_key": p.b64(b"\0" * 32)},
                   {**opened, "endpoint_id": "another-endpoint"},
                   {k: v for k, v in opened.items() if k != "key_confirmation"}):
        with pytest.raises(EndpointRefused) as refused:
            agreed_key(ephemeral, forged)
        assert refused.value.code == "session_unconfirmed"
    # a forger who also recomputes the confirmation makes the client sign with a key the
    # endpoint does not hold (the token seals the real one): every request is refused
    client_public = agreement.public_bytes(ephemeral)
    forged_key = agreement.session_key(
        agreement.shared_secret(forger, client_public), endpoint_id=opened["endpoint_id"],
        head=agreement.token_head(opened["session"]), client_public=client_public,
        server_public=agreement.public_bytes(forger))
    swapped["key_confirmation"] = p.b64(agreement.confirmation(forged_key, opened["session"]))
    assert agreed_key(ephemeral, swapped) == forged_key
    status, code, message = _inbox_with(alice, opened["session"], forged_key)
    assert (status, code) == (401, "unauthorized") and "does not match" in message


def _root_of(url: str, folder) -> tuple[str, str]:
    database = open_database(url)
    try:
        with database.transaction() as tx:
            cert_pem, key_pem = tx.one("SELECT cert_pem, key_pem FROM ca WHERE id = 1")
    finally:
        database.close()
    (folder / "root.pem").write_text(cert_pem)
    (folder / "root.key").write_text(key_pem)
    return str(folder / "root.pem"), str(folder / "root.key")


def test_a_session_from_another_endpoint_under_the_same_root_is_refused(make_database_url,
                                                                        tmp_path):
    # a test and a live endpoint: separate databases, one hospital root, one device key
    test_url = with_hospital_ca(make_database_url("sqlite"), "Shared Root")
    cert, key = _root_of(test_url, tmp_path)
    live = EndpointServer(make_database_url("sqlite"), GENEROUS_LIMITS)
    live.admin("import-root", "--cert", cert, "--key", key, "--insecure-unencrypted-key")
    test = EndpointServer(test_url, GENEROUS_LIMITS).start()
    live.start()
    try:
        at_test = enrolment_factory(test)()
        at_live = enrolment_factory(live)(keys=at_test.keys)  # the same device key at both
        at_test.sessions = at_live.sessions = True
        opened_at_test = at_test.session()
        status, code, message = _inbox_with(at_live, opened_at_test.token,
                                            opened_at_test.key)
        assert (status, code) == (401, "session_refused")
        assert "not issued by this endpoint" in message
        assert at_live.session() is not None and at_live.inbox() == []  # its own session
        assert at_test.inbox() == []
        for client in (at_test, at_live):
            client.close()
    finally:
        test.stop()
        live.stop()


def test_a_session_key_is_not_a_key_of_another_session(server, enrol):
    alice = enrol()
    alice.sessions = True
    first = alice.session()
    alice.session_keeper.forget(first)
    second = alice.session()
    assert second.token != first.token and second.key != first.key
    mixed = dataclasses.replace(second, key=first.key)
    status, code, _ = _inbox_with(alice, mixed.token, mixed.key)
    assert (status, code) == (401, "unauthorized")


def test_a_new_endpoint_id_ends_every_open_session(start_server):
    # what IT runs after restoring another endpoint's backup: its sessions stop working here
    server = start_server("sqlite")
    alice = enrolment_factory(server)()
    alice.sessions = True
    before = alice.session()
    changed = json.loads(server.admin("new-endpoint-id").stdout)
    server.stop()
    server.start()  # the serving processes cache the secret: restarted, as the output says
    status, code, message = _inbox_with(alice, before.token, before.key)
    assert (status, code) == (401, "session_refused")
    assert "not issued by this endpoint" in message
    assert alice.inbox() == [] and alice.session() is not before  # a new session, at once
    rows = [json.loads(line) for line in server.admin("export-audit").stdout.splitlines()]
    assert [row["subject"] for row in rows if row["action"] == "new_endpoint_id"] == [
        changed["endpoint_id"]]
    alice.close()
