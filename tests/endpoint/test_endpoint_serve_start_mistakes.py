"""`serve` as IT starts it wrongly on a first deployment: where it cannot listen (a second serve
on the port of the first, a --host that is not this computer's) it says what happened and what
to do, exit code 3, and no "serving" line before it; on a database with no CA yet it serves but
warns in its log. `migrate --help` says what it does and its exit codes, as serve's does."""

from __future__ import annotations

import subprocess

import httpx
from endpoint_harness import ENDPOINT_COMMAND, EndpointServer


def _serve(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ENDPOINT_COMMAND, "serve", "--database", database_url, *args],
                          capture_output=True, text=True, timeout=60)


def test_a_second_serve_on_a_taken_port_says_so_and_the_first_goes_on(start_server):
    first = start_server("sqlite")
    second = _serve(first.database_url, "--port", str(first.port))
    assert second.returncode == 3, second.stderr
    assert f"already listening on 127.0.0.1:{first.port}" in second.stderr
    assert "another --port" in second.stderr
    assert "serving" not in second.stderr and "Errno" not in second.stderr
    assert httpx.get(f"{first.url}/healthz", timeout=5).status_code == 200


def test_a_host_that_is_not_this_computers_says_so(start_server):
    running = start_server("sqlite")
    # TEST-NET-1 (RFC 5737): never an address of this computer
    refused = _serve(running.database_url, "--host", "192.0.2.1", "--port", "8443",
                     "--public-host", "medsnap.example")
    assert refused.returncode == 3, refused.stderr
    assert "192.0.2.1:8443 cannot be listened on" in refused.stderr
    assert "Check --host" in refused.stderr and "serving" not in refused.stderr


def test_serving_before_init_ca_warns_where_it_is_logged(make_database_url, start_server):
    empty = EndpointServer(make_database_url("sqlite"), ["--create-database"]).start()
    try:
        assert httpx.get(f"{empty.url}/healthz", timeout=5).status_code == 200
    finally:
        empty.stop()
    assert "no certificate authority yet" in empty.log() and "admin init-ca" in empty.log()
    with_ca = start_server("sqlite")
    with_ca.stop()
    assert "certificate authority" not in with_ca.log()


def test_migrate_help_says_what_it_does_and_its_exit_codes():
    page = subprocess.run([*ENDPOINT_COMMAND, "migrate", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert page.returncode == 0
    assert "Bring the database schema up to date" in page.stdout
    assert "4  the database could not be opened" in page.stdout
