"""The request signature covers the Host: a request signed for one endpoint fails at another."""

from __future__ import annotations

import httpx
from endpoint_support import enrolment_factory

from medsnap_endpoint.client import DeviceKeys, PreparedRequest


def test_changing_the_host_after_signing_breaks_the_signature(server, enrol):
    alice = enrol()
    request = alice.signed_request("GET", "/v1/inbox")
    assert alice.send_request(request).status_code == 200  # the request as signed is accepted
    moved = alice.signed_request("GET", "/v1/inbox")
    moved.headers["Host"] = f"other-endpoint.example:{server.port}"
    response = alice.send_request(moved)
    assert response.status_code == 401
    assert "signature does not match" in response.json()["message"]


def _replay(request: PreparedRequest, to_url: str) -> httpx.Response:
    """Send a captured request, headers (Host included) untouched, to another server."""
    replayed = httpx.Request(request.method, to_url + request.target,
                             headers=request.headers, content=request.body)
    with httpx.Client() as other:
        return other.send(replayed)


def test_request_signed_for_another_endpoint_of_the_hospital_is_refused(start_server):
    # two endpoints of one hospital, each told its own name; the same device key enrolled at both
    ward = start_server("sqlite", "--public-host", "ward-endpoint.example")
    theatre = start_server("sqlite", "--public-host", "theatre-endpoint.example")
    keys = DeviceKeys.generate()
    at_ward = enrolment_factory(ward)("Dr Ward", keys=keys)
    at_theatre = enrolment_factory(theatre)("Dr Theatre", keys=keys)
    ward_host = {"Host": f"ward-endpoint.example:{ward.port}"}
    theatre_host = {"Host": f"theatre-endpoint.example:{theatre.port}"}

    captured = at_ward.signed_request("GET", "/v1/inbox", headers=ward_host)
    replayed = _replay(captured, theatre.url)  # first use of this nonce at the theatre endpoint
    assert replayed.status_code == 401
    assert "not this endpoint" in replayed.json()["message"]
    assert at_ward.send_request(captured).status_code == 200  # at its own endpoint it is valid

    # the theatre endpoint still serves requests addressed to it, under either port form
    assert at_theatre.send_request(at_theatre.signed_request(
        "GET", "/v1/inbox", headers=theatre_host)).status_code == 200
    by_address = at_theatre.send_request(at_theatre.signed_request("GET", "/v1/inbox"))
    assert by_address.status_code == 401  # 127.0.0.1 is not one of its names

