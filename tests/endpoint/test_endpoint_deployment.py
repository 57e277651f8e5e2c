"""Deployment shapes: HTTPS with uvicorn's own TLS, several processes on one PostgreSQL, the
expiry sweep each process runs on its timer."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest
from endpoint_support import GENEROUS_LIMITS, _with_ca, enrolment_factory
from endpoint_harness import EndpointServer

from medsnap_endpoint.client import EndpointClient, EndpointRefused


def test_https_with_uvicorn_tls_options(tmp_path, make_database_url):
    key, cert = tmp_path / "tls.key", tmp_path / "tls.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    server = EndpointServer(_with_ca(make_database_url("sqlite")),
                            [*GENEROUS_LIMITS, "--ssl-certfile", str(cert), "--ssl-keyfile",
                             str(key)], tls_ca=str(cert)).start()
    try:
        with pytest.raises(httpx.ConnectError):  # an untrusted server certificate is refused
            httpx.get(f"{server.url}/healthz")
        assert httpx.get(f"{server.url}/healthz", verify=server.verify).json()["status"] == "ok"
        with pytest.raises(httpx.HTTPError):  # no plain HTTP on the TLS port
            httpx.get(f"http://localhost:{server.port}/healthz")
        code = server.admin("add-clinician", "--staff-id", "TLS1", "--email", "t@h.example",
                            "--name", "Tee Ell").stdout
        with EndpointClient(server.url, verify=server.verify) as device:
            device.enrol("TLS1", json.loads(code)["enrolment_code"])
            assert device.inbox() == []
    finally:
        server.stop()


def test_two_processes_share_one_postgresql(pg_cluster):
    url = _with_ca(pg_cluster.create_database())
    first = EndpointServer(url, GENEROUS_LIMITS).start()
    second = EndpointServer(url, GENEROUS_LIMITS).start()
    try:
        alice, bob_on_first = enrolment_factory(first)(), enrolment_factory(first)()
        with EndpointClient(second.url, bob_on_first.keys) as bob:  # same device, other process
            alice.send("across", [bob_on_first.staff_id], b"one database, two processes")
            [item] = bob.inbox()
            assert bob.download(item["id"]) == b"one database, two processes"
            bob.acknowledge(item["id"])
            assert alice.status("across")["recipients"][0]["status"] == "delivered"
            # a request replayed to the other process is refused: nonces live in the database
            request = bob.signed_request("GET", "/v1/inbox")
            assert bob.send_request(request).status_code == 200
            replay = httpx.Request(request.method, f"{first.url}/v1/inbox",
                                   headers=dict(request.headers))
            replay.headers["Host"] = f"127.0.0.1:{first.port}"
            assert httpx.Client().send(replay).status_code == 401
    finally:
        first.stop()
        second.stop()


def test_each_process_sweeps_expired_messages_on_its_timer(start_server):
    running = start_server("sqlite", "--retention-seconds", "1", "--sweep-interval-seconds", "1")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    alice.send("left-unread", [bob.staff_id], b"ciphertext")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if alice.status("left-unread")["recipients"][0]["status"] == "expired":
            break
        time.sleep(0.3)
    assert alice.status("left-unread")["recipients"][0]["status"] == "expired"
    assert bob.inbox() == []
    with pytest.raises(EndpointRefused):
        bob.download("1")
