"""A message stored in several chunks is streamed one chunk per statement: whole when nothing
changes, short (never wrong) when it is acknowledged meanwhile, and ended in time when the
database stalls or the client goes away mid-way (on PostgreSQL it is read from the event loop,
mailbox.read_chunks_on_loop)."""

from __future__ import annotations

import os
import socket
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from endpoint_harness import EndpointServer
from endpoint_support import BACKENDS, enrolment_factory

from medsnap_endpoint.client import EndpointClient

SMALL_CHUNKS = ["--chunk-bytes", "4096"]
#: several times what the kernel's socket buffers hold (a few MB): the endpoint is still reading
#: chunks while the client has read only the answer's head
LARGE = 10 * 1024 * 1024
QUARTER_MB_CHUNKS = ["--chunk-bytes", str(256 * 1024)]


def _begin_download(server: EndpointServer, client: EndpointClient, item: str
                    ) -> tuple[socket.socket, bytes, bytes]:
    """The download's request sent on a socket that receives slowly; (socket, head, the body
    received with it)."""
    request = client.signed_request("GET", f"/v1/inbox/{item}")
    address = urlsplit(server.url)
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.settimeout(15)
    connection.connect((address.hostname, address.port))
    lines = [f"{request.method} {request.target} HTTP/1.1",
             *(f"{name}: {value}" for name, value in request.headers.items())]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    received = b""
    while b"\r\n\r\n" not in received:
        piece = connection.recv(65536)
        assert piece, "the endpoint closed the connection before answering"
        received += piece
    head, _, body = received.partition(b"\r\n\r\n")
    return connection, head, body


def _rest_of(connection: socket.socket, body: bytes, size: int) -> bytes:
    """``body`` and what follows it, until the declared ``size`` or the connection's end."""
    with connection:
        while len(body) < size:
            piece = connection.recv(1024 * 1024)
            if not piece:
                break
            body += piece
    return body


def _said_in_one_line(server: EndpointServer, why: str) -> None:
    """The log has one warning line for the download ended short, and no traceback."""
    log = server.log_path.read_text()
    said = [line for line in log.splitlines() if "ended short" in line]
    assert len(said) == 1 and "WARNING" in said[0] and why in said[0], log
    assert "Traceback" not in log and "Exception in ASGI" not in log, log


def _pair(server: EndpointServer) -> tuple[EndpointClient, EndpointClient, object]:
    make = enrolment_factory(server)
    return make(), make(), make


def _close(make: object) -> None:
    for client in make.clients:  # type: ignore[attr-defined]
        client.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_message_of_several_chunks_is_downloaded_whole(start_server, backend):
    server = start_server(backend, *SMALL_CHUNKS)
    alice, bob, make = _pair(server)
    sent = {f"m{size}": os.urandom(size) for size in (4096, 3 * 4096, 3 * 4096 + 1, 100_000)}
    for message_id, data in sent.items():
        alice.send(message_id, [bob.staff_id], data)
    for _ in range(2):  # (a client's first request may be served by a worker thread)
        received = {item["message_id"]: bob.download(item["id"]) for item in bob.inbox()}
        assert received == sent
    _close(make)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_message_acknowledged_mid_download_ends_the_body_short(start_server, backend):
    server = start_server(backend, *QUARTER_MB_CHUNKS)
    alice, bob, make = _pair(server)
    data = os.urandom(LARGE)
    alice.send("large", [bob.staff_id], data)
    item = bob.inbox()[0]["id"]
    connection, head, body = _begin_download(server, bob, item)
    assert head.startswith(b"HTTP/1.1 200")
    assert bob.acknowledge(item)["status"] == "delivered"  # its ciphertext deleted meanwhile
    body = _rest_of(connection, body, LARGE)
    assert 0 < len(body) < LARGE and data.startswith(body)  # short, never wrong
    gone = bob.send_request(bob.signed_request("GET", f"/v1/inbox/{item}"))
    assert (gone.status_code, gone.json()["error"]) == (410, "message_gone")
    assert bob.healthz()["status"] == "ok"
    _said_in_one_line(server, "deleted meanwhile")
    _close(make)


def test_a_database_stalled_mid_download_ends_the_body_in_time(start_server):
    # chunk reads are bounded in time as every statement of the hot routes; with the blocking
    # driver in a worker thread the download waited as long as the database did
    server = start_server("postgresql", *QUARTER_MB_CHUNKS, "--database-timeout-seconds", "1")
    alice, bob, make = _pair(server)
    data = os.urandom(LARGE)
    alice.send("large", [bob.staff_id], data)
    item = bob.inbox()[0]["id"]
    connection, _, body = _begin_download(server, bob, item)
    with psycopg.connect(server.database_url) as blocker:  # (a transaction until closed)
        blocker.execute("LOCK TABLE message_chunks IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        body = _rest_of(connection, body, LARGE)
        waited = time.monotonic() - started
        blocker.rollback()
    assert 0 < len(body) < LARGE and data.startswith(body)
    assert waited < 8, f"the download waited {waited:.1f} s for the stalled database"
    assert bob.download(item) == data  # the endpoint reads again once the database answers
    _said_in_one_line(server, "did not answer within 1 seconds")
    _close(make)


_WAITING_ON_A_LOCK = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND backend_type = 'client backend' AND wait_event_type = 'Lock'")


def _drain(connection: socket.socket) -> None:
    """Read until nothing more comes for a while (the endpoint waits for its next chunk)."""
    connection.settimeout(0.5)
    try:
        while connection.recv(1024 * 1024):
            pass
    except TimeoutError:
        return
    raise AssertionError("the endpoint ended the download; it should be waiting for a chunk")


def _count_until(observer: psycopg.Connection, query: str, wanted: int) -> int:
    deadline = time.monotonic() + 5
    while True:
        count = observer.execute(query).fetchone()[0]
        if count == wanted or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_a_client_leaving_mid_download_leaves_no_statement_behind(start_server):
    # the chunk read under way is cancelled in the database (the worker thread's went on
    # waiting as long as the database did, here for ever)
    server = start_server("postgresql", *QUARTER_MB_CHUNKS)
    alice, bob, make = _pair(server)
    alice.send("large", [bob.staff_id], os.urandom(LARGE))
    item = bob.inbox()[0]["id"]
    connection, _, _ = _begin_download(server, bob, item)
    with psycopg.connect(server.database_url) as blocker, \
            psycopg.connect(server.database_url, autocommit=True) as observer:
        blocker.execute("LOCK TABLE message_chunks IN ACCESS EXCLUSIVE MODE")
        _drain(connection)
        assert _count_until(observer, _WAITING_ON_A_LOCK, 1) == 1  # the next chunk's read
        connection.close()  # the client goes away
        assert _count_until(observer, _WAITING_ON_A_LOCK, 0) == 0
        blocker.rollback()
    assert bob.download(item)  # and the endpoint serves on
    _close(make)
