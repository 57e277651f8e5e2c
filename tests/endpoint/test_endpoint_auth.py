"""Every signed route refuses requests without a valid signature; mailboxes are private."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
from endpoint_support import enrolment_factory

from medsnap_endpoint import protocol as p
from medsnap_endpoint.client import DeviceKeys, EndpointClient, EndpointRefused
from medsnap_endpoint.openapi import schema


def _signed_operations() -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, operations in schema()["paths"].items()
            for method, operation in operations.items() if operation["security"]]


SIGNED_OPERATIONS = _signed_operations()
FAULTS = ["unsigned", "unenrolled_key", "wrong_signature", "stale", "future", "replayed",
          "malformed_headers"]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_openapi_description_lists_the_signed_routes():
    assert len(SIGNED_OPERATIONS) >= 9
    assert ("POST", "/v1/messages") in SIGNED_OPERATIONS


@pytest.fixture(scope="module")
def enrolled_device(server):
    return enrolment_factory(server)("Door Tester")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("method,path", SIGNED_OPERATIONS)
def test_signed_route_refuses_request_without_valid_signature(server, enrolled_device, method,
                                                              path, fault):
    client = enrolled_device
    client.clock_offset = 0
    target = _concrete(path)
    params = {"message_id": "m", "to": client.staff_id} if path == "/v1/messages" else None
    if fault == "unsigned":
        response = client.send_request(client.unsigned_request(method, target, params=params,
                                                               content=b"x"))
    elif fault == "unenrolled_key":
        with EndpointClient(server.url, DeviceKeys.generate()) as stranger:
            response = stranger.send_request(stranger.signed_request(method, target,
                                                                     params=params, content=b"x"))
    elif fault == "wrong_signature":
        request = client.signed_request(method, target, params=params, content=b"x")
        request.headers[p.HEADER_SIGNATURE] = p.b64(client.keys.signing.sign(b"other"))
        response = client.send_request(request)
    elif fault in ("stale", "future"):
        client.clock_offset = -300 if fault == "stale" else 300
        response = client.send_request(client.signed_request(method, target, params=params,
                                                             content=b"x"))
    elif fault == "replayed":
        first = client.signed_request(method, target, params=params, content=b"x")
        client.send_request(first)
        response = client.send_request(first)
    else:
        request = client.signed_request(method, target, params=params, content=b"x")
        request.headers[p.HEADER_NONCE] = "short"
        response = client.send_request(request)
    client.clock_offset = 0
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized"


def test_tampered_body_is_refused(server, enrol):
    alice, bob = enrol(), enrol()
    request = alice.signed_request("POST", "/v1/messages", content=b"original",
                                   params={"message_id": "t1", "to": bob.staff_id})
    request.body = b"tampered"
    response = alice.send_request(request)
    assert response.status_code == 401 and response.json()["error"] == "body_mismatch"
    assert bob.inbox() == []


def test_revoked_or_disabled_clinician_is_refused(server, enrol):
    alice, bob = enrol(), enrol()
    assert alice.inbox() == []
    server.admin("disable", alice.staff_id)
    with pytest.raises(EndpointRefused) as disabled:
        alice.inbox()
    assert disabled.value.status == 401
    server.admin("enable", alice.staff_id)
    assert alice.inbox() == []
    server.admin("revoke", "--staff-id", bob.staff_id)
    with pytest.raises(EndpointRefused) as revoked:
        bob.inbox()
    assert revoked.value.status == 401
    # and revoked clinicians leave the directory
    assert all(c["staff_id"] != bob.staff_id for c in alice.search(name=bob.staff_id))


def test_a_clinician_cannot_list_fetch_or_acknowledge_another_clinicians_messages(server,
                                                                                   enrol):
    alice, bob, mallory = enrol(), enrol(), enrol()
    alice.send("private", [bob.staff_id], b"for bob only")
    [item] = bob.inbox()
    assert mallory.inbox() == []
    for attempt in (mallory.download, mallory.acknowledge, mallory.mark_read):
        with pytest.raises(EndpointRefused) as refused:
            attempt(item["id"])
        assert refused.value.status == 404
    with pytest.raises(EndpointRefused) as status:
        mallory.status("private")  # status is scoped to the sender's own ids
    assert status.value.status == 404
    assert bob.download(item["id"]) == b"for bob only"  # untouched by Mallory's attempts


def _start_enrolment(server, staff_id: str, code: str, keys: DeviceKeys) -> dict:
    response = httpx.post(f"{server.url}/v1/enrol/start", json={
        "staff_id": staff_id, "code": code,
        "encryption_public_key": p.b64(p.raw_public_bytes(keys.encryption.public_key())),
        "signing_public_key": p.b64(p.raw_public_bytes(keys.signing.public_key()))})
    return {"status": response.status_code, **response.json()}


def _new_clinician(server) -> tuple[str, str]:
    import json
    import uuid

    staff_id = f"E{uuid.uuid4().hex[:8]}"
    out = server.admin("add-clinician", "--staff-id", staff_id, "--email",
                       f"{staff_id}@hospital.example", "--name", "Enrolling Person").stdout
    return staff_id, json.loads(out)["enrolment_code"]


def test_enrolment_code_is_single_use_and_bound_to_the_staff_id(server):
    staff_id, code = _new_clinician(server)
    other_id, _ = _new_clinician(server)
    assert _start_enrolment(server, other_id, code, DeviceKeys.generate())["status"] == 401
    with EndpointClient(server.url) as device:
        device.enrol(staff_id, code.lower().replace("-", " "))  # typed loosely still works
        assert device.inbox() == []
    with EndpointClient(server.url) as second, pytest.raises(EndpointRefused) as reused:
        second.enrol(staff_id, code)
    assert reused.value.status == 401 and reused.value.code == "enrolment_code_refused"


def test_enrolment_requires_proof_of_both_private_keys(server):
    staff_id, code = _new_clinician(server)
    keys, impostor = DeviceKeys.generate(), DeviceKeys.generate()
    challenge = _start_enrolment(server, staff_id, code, keys)
    nonce, hashed = p.unb64(challenge["nonce"]), p.code_hash(code)
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    server_key = X25519PublicKey.from_public_bytes(p.unb64(challenge["server_public_key"]))
    enc_pub = p.raw_public_bytes(keys.encryption.public_key())
    sig_pub = p.raw_public_bytes(keys.signing.public_key())
    good_proof = p.enrol_agreement_proof(keys.encryption.exchange(server_key),
                                         challenge["challenge_id"], hashed, nonce)
    bad_proof = p.enrol_agreement_proof(impostor.encryption.exchange(server_key),
                                        challenge["challenge_id"], hashed, nonce)
    payload = p.enrol_signature_payload(challenge["challenge_id"], hashed, nonce, enc_pub,
                                        sig_pub)

    def finish(proof: bytes, signer) -> httpx.Response:
        return httpx.post(f"{server.url}/v1/enrol/finish", json={
            "challenge_id": challenge["challenge_id"], "agreement_proof": p.b64(proof),
            "signature": p.b64(signer.sign(payload))})

    assert finish(bad_proof, keys.signing).status_code == 403
    assert finish(good_proof, impostor.signing).status_code == 403
    issued = finish(good_proof, keys.signing)  # the code was not spent by the failures
    assert issued.status_code == 200, issued.text
    assert issued.json()["key_id"] == hashlib.sha256(sig_pub).hexdigest()


def test_expired_enrolment_code_is_refused(server):
    import json
    import uuid

    from medsnap_endpoint.storage import open_database

    staff_id = f"X{uuid.uuid4().hex[:8]}"
    code = json.loads(server.admin("add-clinician", "--staff-id", staff_id, "--email",
                                   f"{staff_id}@hospital.example", "--name", "Late Person",
                                   "--code-hours", "1").stdout)["enrolment_code"]
    # its hour has passed (admin refuses --code-hours 0: such a code would be useless)
    database = open_database(server.database_url)
    try:
        with database.transaction(write=True) as tx:
            tx.execute("UPDATE enrolment_codes SET expires_at = expires_at - 3600 "
                       "WHERE staff_id = ?", (staff_id,))
    finally:
        database.close()
    assert _start_enrolment(server, staff_id, code, DeviceKeys.generate())["status"] == 401
