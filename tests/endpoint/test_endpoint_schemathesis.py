"""Schemathesis against /openapi.json: no generated request, signed or not, makes a server error."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import requests
import schemathesis
from endpoint_support import enrolment_factory
from hypothesis import HealthCheck, given, settings

from medsnap_endpoint.openapi import schema as openapi_schema
from medsnap_endpoint.request_signing import signature_headers

EXAMPLES_PER_OPERATION = 12
SIGNED = [(m, path) for path, ops in openapi_schema()["paths"].items()
          for m, op in ops.items() if op["security"]]


class DeviceSignature(requests.auth.AuthBase):
    """Signs each prepared request exactly as sent, so the fuzzed input reaches the routes."""

    def __init__(self, keys):
        self.keys = keys

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        target, _, query = request.path_url.partition("?")
        host = urllib.parse.urlsplit(request.url or "").netloc  # what urllib3 sends as Host
        request.headers.update(signature_headers(
            self.keys.signing, self.keys.key_id, request.method or "GET", target, query, host,
            hashlib.sha256(body).hexdigest()))
        return request


@pytest.fixture(scope="module")
def fuzzing_device(server):
    make = enrolment_factory(server)
    device, colleague = make("Fuzz Sender"), make("Fuzz Receiver")
    device.send("seed-1", [colleague.staff_id], b"seed ciphertext")
    return device


def test_signed_fuzzing_finds_no_server_error(server, fuzzing_device):
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # every route but /openapi.json itself
    failures: list[str] = []
    reached: set[str] = set()  # operations where a signed request got past authentication
    with requests.Session() as session:
        for operation in operations:
            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), database=None)
            def exercise(case) -> None:
                response = case.call(base_url=server.url, session=session,
                                     auth=DeviceSignature(fuzzing_device.keys), timeout=30)
                if response.status_code != 401:
                    reached.add(operation.label)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {response.request.path_url}: "
                                    f"{response.status_code} {response.text[:200]}")

            exercise()
    assert failures == []
    signed = {f"{m.upper()} {path}" for m, path in SIGNED}
    assert signed <= reached, signed - reached  # the fuzzing was not all stopped at the door


def test_schemathesis_cli_finds_no_server_error_unauthenticated(server, tmp_path):
    if server.database_url.startswith("postgresql"):
        pytest.skip("unsigned requests stop before the database; SQLite covers them")
    command = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [str(command), "run", f"{server.url}/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "10", "--phases", "examples,coverage,fuzzing", "--seed", "1",
         "--no-color", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
