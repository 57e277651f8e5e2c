"""`serve` logs to stderr by default: a start-up line (version, address, database kind without
its password, TLS on/off) and one line per refused request; requests served say nothing."""

from __future__ import annotations

import subprocess
import time
from importlib import metadata

import httpx
import pytest
from endpoint_harness import ENDPOINT_COMMAND, free_port

from medsnap_endpoint import admin, serve_log
from medsnap_endpoint.storage import open_database


@pytest.fixture
def serving(make_database_url, tmp_path):
    """`medsnap-endpoint serve` with no --log-level, as the systemd unit runs it."""
    url = make_database_url("sqlite")
    database = open_database(url)
    try:
        admin.init_ca(database, "Log Test Root", unencrypted_key=True)
    finally:
        database.close()
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([*ENDPOINT_COMMAND, "serve", "--database", url, "--port",
                                    str(port)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield base, log_path, url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _lines(log_path) -> list[str]:
    time.sleep(0.2)  # the server writes its line after answering
    return [line for line in log_path.read_text().splitlines()
            if line.startswith("medsnap-endpoint:")]


def test_start_up_line_and_one_line_per_refused_request(serving):
    base, log_path, url = serving
    port = base.rsplit(":", 1)[1]
    [started] = _lines(log_path)
    assert started == (f"medsnap-endpoint: INFO: medsnap-endpoint {metadata.version('medsnap')} "
                       f"serving http://127.0.0.1:{port}; database sqlite ({url}); TLS off")
    for _ in range(3):  # served: nothing logged
        assert httpx.get(f"{base}/v1/ca/root", timeout=10).status_code == 200
    assert httpx.get(f"{base}/v1/inbox", timeout=10).status_code == 401  # a hot route
    assert httpx.get(f"{base}/v1/directory", timeout=10).status_code == 401  # a Starlette one
    # a path that would start a forged line if decoded: logged as sent, quoted
    forged = "/v1/directory/x%0Amedsnap-endpoint:%20INFO:%20all%20is%20well"
    assert httpx.get(f"{base}{forged}", timeout=10).status_code == 401
    refused = _lines(log_path)[1:]
    assert len(refused) == 3, refused
    assert refused[0].startswith("medsnap-endpoint: INFO: refused GET '/v1/inbox' from "
                                 "127.0.0.1: 401 unauthorized: 'This request was not accepted")
    assert refused[1].startswith("medsnap-endpoint: INFO: refused GET '/v1/directory' from "
                                 "127.0.0.1: 401 unauthorized")
    assert f"'{forged}'" in refused[2]
    assert "all is well" not in "".join(line for line in log_path.read_text().splitlines()
                                        if line.startswith("medsnap-endpoint: INFO: all"))


def test_the_database_is_named_without_its_password():
    shown = serve_log.database_kind("postgresql://medsnap:s3cret@db.trust.example/medsnap")
    assert shown == "postgresql (postgresql://medsnap@db.trust.example/medsnap)"
    assert "s3cret" not in shown
