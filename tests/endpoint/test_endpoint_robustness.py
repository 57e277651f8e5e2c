"""Concurrency and crashes: nothing lost, nothing duplicated, no partial message after kill -9."""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from endpoint_support import enrolment_factory

from medsnap_endpoint.client import EndpointClient, EndpointRefused
from medsnap_endpoint.storage import open_database

SENDERS = 50
MESSAGES_EACH = 3


def test_fifty_concurrent_senders_lose_and_duplicate_nothing(server):
    make = enrolment_factory(server)
    receivers = [make("Receiver One"), make("Receiver Two")]
    senders = [make(f"Sender {i}") for i in range(SENDERS)]
    expected: dict[tuple[str, str], str] = {}
    lock = threading.Lock()

    def work(sender: EndpointClient) -> None:
        for n in range(MESSAGES_EACH):
            body = os.urandom(20_000 + n)
            recipient = receivers[n % 2].staff_id
            message_id = f"{sender.staff_id}-{n}"
            first = sender.send(message_id, [recipient], body)
            retry = sender.send(message_id, [recipient], body)  # a retry after a lost reply
            assert (first["duplicate"], retry["duplicate"]) == (False, True)
            with lock:
                expected[(sender.staff_id, message_id)] = hashlib.sha256(body).hexdigest()

    with ThreadPoolExecutor(SENDERS) as pool:
        for future in [pool.submit(work, sender) for sender in senders]:
            future.result()
    received: dict[tuple[str, str], str] = {}
    for receiver in receivers:
        for item in receiver.inbox():
            key = (item["sender"], item["message_id"])
            assert key not in received, "duplicate delivery"
            received[key] = hashlib.sha256(receiver.download(item["id"])).hexdigest()
    assert received == expected
    assert len(received) == SENDERS * MESSAGES_EACH


def _raw_upload(client: EndpointClient, port: int, message_id: str, recipient: str,
                body: bytes, *, pause_after: int | None, paused: threading.Event) -> None:
    """Send a signed upload over a plain socket, optionally stopping part-way."""
    request = client.signed_request("POST", "/v1/messages", content=body,
                                    params={"message_id": message_id, "to": recipient})
    head = f"POST {request.target} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in request.headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode())
        limit = len(body) if pause_after is None else pause_after
        for start in range(0, limit, 65536):
            sock.sendall(body[start:min(start + 65536, limit)])
        paused.set()
        try:
            sock.settimeout(10)
            sock.recv(1)  # wait here until the server dies (or answers)
        except OSError:
            pass


def _orphans(database_url: str) -> int:
    database = open_database(database_url)
    try:
        with database.transaction() as tx:
            row = tx.one("SELECT COUNT(*) FROM message_chunks c WHERE NOT EXISTS (SELECT 1 FROM "
                         "deliveries d WHERE d.message_id = c.message_id AND d.status = 'stored')")
            return int(row[0])
    finally:
        database.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_during_upload_leaves_no_partial_message_and_loses_nothing_stored(backend,
                                                                                start_server):
    running = start_server(backend)
    make = enrolment_factory(running)
    alice, bob = make(), make()
    kept = os.urandom(2_000_000)
    alice.send("stored-before-crash", [bob.staff_id], kept)  # acknowledged as stored (201)
    big = os.urandom(30_000_000)

    # kill mid-body, then kill right after the whole body was sent (while it is being stored)
    for attempt, pause_after in enumerate((len(big) // 2, None)):
        paused = threading.Event()
        uploader = threading.Thread(target=_raw_upload, args=(
            alice, running.port, f"in-flight-{attempt}", bob.staff_id, big),
            kwargs={"pause_after": pause_after, "paused": paused})
        uploader.start()
        assert paused.wait(60)
        running.kill()
        uploader.join(30)
        running.start()  # same database, new process

        inbox = {m["message_id"]: m for m in bob.inbox()}
        assert "stored-before-crash" in inbox
        if f"in-flight-{attempt}" in inbox:  # committed before the kill: then it is whole
            item = inbox[f"in-flight-{attempt}"]
            assert bob.download(item["id"]) == big
        else:
            with pytest.raises(EndpointRefused) as missing:
                alice.status(f"in-flight-{attempt}")
            assert missing.value.status == 404
        assert _orphans(running.database_url) == 0

    assert bob.download(inbox["stored-before-crash"]["id"]) == kept
    # the interrupted id is not poisoned: the app's outbox retry succeeds
    retried = alice.send("in-flight-0", [bob.staff_id], big)
    assert retried["size"] == len(big)
    assert running.admin("verify-audit").returncode == 0
