"""Sizes, malformed input and rate limits: refused with a clear error, never a server error."""

from __future__ import annotations

import httpx
import pytest
from endpoint_support import enrolment_factory

from medsnap_endpoint import protocol as p
from medsnap_endpoint.client import DeviceKeys, EndpointClient, EndpointRefused, PreparedRequest
from medsnap_endpoint.http_pool import ConnectionFailure


def _peak_memory_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _chunked(request: PreparedRequest, pieces) -> PreparedRequest:
    """Send the body with chunked transfer encoding (no Content-Length to check up front)."""
    del request.headers["Content-Length"]
    request.body = pieces()  # chunks without a length: sent with Transfer-Encoding: chunked
    return request


@pytest.mark.parametrize("backend", ["sqlite"])
def test_oversized_message_refused_whether_declared_or_streamed(backend, start_server):
    running = start_server(backend, "--max-message-bytes", "100000")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    with pytest.raises(EndpointRefused) as declared:
        alice.send("big-1", [bob.staff_id], b"x" * 100_001)
    assert declared.value.status == 413
    assert alice.send("fits", [bob.staff_id], b"x" * 100_000)["size"] == 100_000

    # a chunked upload far over the limit is refused without the server buffering it
    def endless():
        for _ in range(1000):  # 64 MB
            yield b"y" * 65536

    peak_before = _peak_memory_kb(running.process.pid)

    request = _chunked(alice.signed_request("POST", "/v1/messages", content=b"whatever",
                                            params={"message_id": "big-2",
                                                    "to": bob.staff_id}), endless)
    try:
        response = alice.send_request(request)
        assert response.status_code == 413
    except ConnectionFailure:
        pass  # the server may close the connection while we are still sending: also a refusal
    assert _peak_memory_kb(running.process.pid) - peak_before < 40_000
    assert [m["message_id"] for m in bob.inbox()] == ["fits"]


def test_malformed_send_parameters_are_refused(server, enrol):
    alice, bob = enrol(), enrol()
    cases = [
        ({"message_id": "bad id with spaces", "to": bob.staff_id}, b"x"),
        ({"message_id": "m1"}, b"x"),
        ({"message_id": "m1", "to": [bob.staff_id, bob.staff_id]}, b"x"),
        ({"message_id": "m1", "to": "not a staff id!"}, b"x"),
        ({"message_id": "m1", "to": bob.staff_id}, b""),
        ({"message_id": "x" * 200, "to": bob.staff_id}, b"x"),
    ]
    for params, body in cases:
        response = alice.send_request(alice.signed_request("POST", "/v1/messages", params=params,
                                                        content=body))
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"] == "bad_request"
    too_many = [("message_id", "m2")] + [("to", f"P{i}") for i in range(60)]
    response = alice.send_request(alice.signed_request("POST", "/v1/messages", params=too_many,
                                                    content=b"x"))
    assert response.status_code == 400
    assert bob.inbox() == []


def test_malformed_item_ids_and_paths_are_not_found(server, enrol):
    alice = enrol()
    for item in ("99999999999999999999999999", "abc", "-1", "0"):
        response = alice.send_request(alice.signed_request("GET", f"/v1/inbox/{item}"))
        assert response.status_code == 404, item
    response = alice.send_request(alice.signed_request("GET", "/v1/no-such-route"))
    assert response.status_code == 404


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b'{"staff_id": 5}', b'{"staff_id": "A", "code": "C"}',
    b'{"staff_id": "A", "code": "C", "encryption_public_key": "!!", "signing_public_key": "x"}',
    b'{"staff_id": "A", "code": "C", "encryption_public_key": "AAAA", '
    b'"signing_public_key": "AAAA"}',
    b"\xff\xfe\x00",
    b"[" * 60_000,  # nested deeper than the parser goes, within the size limit (was a 500)
])
def test_malformed_enrolment_bodies_are_refused(server, body):
    response = httpx.post(f"{server.url}/v1/enrol/start", content=body,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    finish = httpx.post(f"{server.url}/v1/enrol/finish", content=body)
    assert finish.status_code in (400, 410), finish.text


def test_oversized_json_body_is_refused(server):
    response = httpx.post(f"{server.url}/v1/enrol/start", content=b"{" + b" " * 70_000 + b"}")
    assert response.status_code == 413


def test_oversized_key_file_is_refused(server, enrol):
    alice = enrol()
    with pytest.raises(EndpointRefused) as refused:
        alice.deposit_key_file(b"k" * 70_000)
    assert refused.value.status == 413


def test_key_file_fetch_is_rate_limited_per_staff_id_and_audited(start_server):
    running = start_server("sqlite", "--key-fetches-per-staff-per-hour", "3",
                           "--key-fetches-per-client-per-hour", "5")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    alice.deposit_key_file(b"alice wrapped keys")
    bob.deposit_key_file(b"bob wrapped keys")
    with EndpointClient(running.url) as guesser:
        for _ in range(3):
            assert guesser.fetch_key_file(alice.staff_id) == b"alice wrapped keys"
        with pytest.raises(EndpointRefused) as per_staff:
            guesser.fetch_key_file(alice.staff_id)
        assert per_staff.value.status == 429 and per_staff.value.details["retry_after"] > 0
        assert guesser.fetch_key_file(bob.staff_id) == b"bob wrapped keys"  # 5th from client
        with pytest.raises(EndpointRefused) as per_client:
            guesser.fetch_key_file(bob.staff_id)
        assert per_client.value.status == 429
    exported = running.admin("export-audit").stdout
    assert exported.count('"action": "key_file_fetch"') == 6
    assert exported.count('"outcome": "rate_limited"') == 2
    assert "wrapped keys" not in exported


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])  # one SQL path per backend
def test_signed_requests_are_rate_limited_per_clinician(start_server, backend):
    running = start_server(backend, "--requests-per-minute", "5")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    for _ in range(5):
        alice.inbox()
    response = alice.send_request(alice.signed_request("GET", "/v1/inbox"))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert bob.inbox() == []  # another clinician is unaffected


def test_enrolment_is_rate_limited_per_client(start_server):
    running = start_server("sqlite", "--public-requests-per-minute", "3")
    statuses = []
    for _ in range(4):
        keys = DeviceKeys.generate()
        statuses.append(httpx.post(f"{running.url}/v1/enrol/start", json={
            "staff_id": "GUESS", "code": "AAAA-BBBB",
            "encryption_public_key": p.b64(p.raw_public_bytes(keys.encryption.public_key())),
            "signing_public_key": p.b64(p.raw_public_bytes(keys.signing.public_key()))
        }).status_code)
    assert statuses == [401, 401, 401, 429]


@pytest.mark.parametrize("path,expected", [
    ("/v1/directory/%00", 404), ("/v1/directory/A1%0A", 404), ("/v1/directory/%FF%FE", 404),
    ("/v1/outbox/%00x", 404), ("/v1/outbox/" + "x" * 5000, 404), ("/v1/keyfile/%00", 404),
    ("/v1/directory?name=%00", 400), ("/v1/directory?name=%FF", 200),
])
def test_nul_bytes_and_bad_encodings_are_refused_cleanly(server, enrol, path, expected):
    # PostgreSQL rejects NUL in text: such input must never reach it
    client = enrol()
    request = (client.signed_request("GET", path) if not path.startswith("/v1/keyfile")
               else client.unsigned_request("GET", path))
    assert client.send_request(request).status_code == expected


def test_nul_bytes_in_enrolment_fields_are_refused(server):
    key = "A" * 43 + "="
    for body in ({"staff_id": "A", "code": "\x00", "encryption_public_key": key,
                  "signing_public_key": key},):
        assert httpx.post(f"{server.url}/v1/enrol/start", json=body).status_code == 400
    finish = {"challenge_id": "\x00" * 20, "agreement_proof": key, "signature": "A" * 86 + "=="}
    assert httpx.post(f"{server.url}/v1/enrol/finish", json=finish).status_code == 400
