"""The hot routes (send, inbox, download, acknowledge) served in front of Starlette: the same
answers and checks as every route, and the SQLite fast path's fallbacks and durability."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import threading
import time
from urllib.parse import quote, urlencode

from endpoint_support import enrolment_factory

from medsnap_endpoint.app import create_app
from medsnap_endpoint.bodies import SPOOL_IN_MEMORY
from medsnap_endpoint.request_signing import signature_headers
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage import sqlite as sqlite_backend


def test_other_methods_and_paths_near_the_hot_routes_are_answered_as_before(server, enrol):
    alice = enrol()
    for method, path in [("DELETE", "/v1/inbox"), ("POST", "/v1/inbox"), ("PUT", "/v1/inbox/1"),
                         ("GET", "/v1/inbox/1/ack"), ("GET", "/v1/messages")]:
        answer = alice.send_request(alice.signed_request(method, path))
        assert answer.status_code == 405, (method, path, answer.text)
        assert answer.json()["error"] == "method_not_allowed"
    answer = alice.send_request(alice.signed_request("GET", "/v1/inbox/1/2"))
    assert (answer.status_code, answer.json()["error"]) == (404, "not_found")
    answer = alice.send_request(alice.signed_request("GET", "/v1/inbox/x1"))
    assert (answer.status_code, answer.json()["error"]) == (404, "no_such_message")


def test_a_message_past_the_in_memory_bound_is_streamed_and_kept_whole(server, enrol):
    # up to the bound a send is read whole, then verified (hot route); past it the signature is
    # checked before a byte is read and the body streamed (Starlette route); both store alike
    alice, bob = enrol(), enrol()
    small, big = os.urandom(SPOOL_IN_MEMORY), os.urandom(SPOOL_IN_MEMORY + 1)
    assert alice.send("at-the-bound", [bob.staff_id], small)["size"] == len(small)
    assert alice.send("past-the-bound", [bob.staff_id], big)["size"] == len(big)
    received = {item["message_id"]: bob.download(item["id"]) for item in bob.inbox()}
    assert received == {"at-the-bound": small, "past-the-bound": big}  # big: two chunks


def test_a_refused_request_still_spends_its_nonce(server, enrol):
    # on SQLite admission and work share one transaction: the work's refusal rolls back to a
    # savepoint, never the nonce, so the same signed request cannot be tried again
    alice, bob = enrol(), enrol()
    alice.send("for-bob", [bob.staff_id], b"ciphertext for bob")
    item = bob.inbox()[0]["id"]
    for request, status in [
            (alice.signed_request("GET", f"/v1/inbox/{item}"), 404),  # not alice's
            (alice.signed_request("POST", "/v1/messages", content=b"x",
                                  params={"message_id": "m1", "to": "S-nobody"}), 422)]:
        assert alice.send_request(request).status_code == status
        again = alice.send_request(request)
        assert again.status_code == 401, again.text
        assert "replayed" in again.json()["message"]
    assert [i["message_id"] for i in bob.inbox()] == ["for-bob"]  # nothing else was stored


def test_sqlite_write_lock_held_by_another_process_is_waited_for(start_server):
    # the event loop never waits for a lock: the request goes to a worker thread, which does
    running = start_server("sqlite")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    holder = sqlite3.connect(running.database_url.removeprefix("sqlite:///"),
                             isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.6, holder.execute, args=("COMMIT",))
    started = time.monotonic()
    release.start()
    try:
        assert alice.send("while-locked", [bob.staff_id], b"ciphertext")["duplicate"] is False
        waited = time.monotonic() - started
        assert [i["message_id"] for i in bob.inbox()] == ["while-locked"]
    finally:
        release.join()
        holder.close()
    assert waited >= 0.5  # answered after the other writer let go, not refused


# in-process: the ASGI application itself, on a database enrolled through a real server ------
def _enrolled_database(start_server) -> tuple[str, object, object]:
    running = start_server("sqlite")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    running.stop()
    return running.database_url, alice, bob


def _request(client, method: str, path: str, query: str = "", body: bytes = b"") -> dict:
    headers = signature_headers(client.keys.signing, client.keys.key_id, method, path, query,
                                "endpoint.test", hashlib.sha256(body).hexdigest())
    raw = [(b"host", b"endpoint.test"), (b"content-length", str(len(body)).encode())]
    raw += [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
            "query_string": query.encode(), "headers": raw, "http_version": "1.1",
            "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
            "root_path": "", "asgi": {"version": "3.0"}}


async def _answer(app, scope: dict, body: bytes, events: list) -> tuple[int, bytes]:
    delivered = False

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # no disconnect while the answer is made
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer: dict = {"body": b""}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            events.append(("answer", message["status"]))
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def test_a_send_done_on_the_event_loop_is_answered_only_once_the_wal_is_synced(
        start_server, monkeypatch):
    url, alice, bob = _enrolled_database(start_server)
    events: list = []
    real_sync = os.fdatasync

    def recording_sync(descriptor: int) -> None:
        real_sync(descriptor)
        events.append(("synced", os.readlink(f"/proc/self/fd/{descriptor}")))

    monkeypatch.setattr(sqlite_backend.os, "fdatasync", recording_sync)
    app = create_app(url, Settings())
    body = os.urandom(50_000)
    query = urlencode([("message_id", "durable"), ("to", bob.staff_id)], quote_via=quote)

    async def run() -> int:
        async with app.app.router.lifespan_context(app.app):
            events.clear()  # (opening the database synced too)
            status, _ = await _answer(app, _request(alice, "POST", "/v1/messages", query, body),
                                      body, events)
            return status

    assert asyncio.run(run()) == 201
    wal = url.removeprefix("sqlite:///") + "-wal"
    assert ("synced", wal) in events
    assert events.index(("synced", wal)) < events.index(("answer", 201))


def test_a_lone_send_is_synced_on_the_event_loop_and_concurrent_ones_in_a_worker(
        start_server, monkeypatch):
    # alone: no flush to share, so no hand-over to a worker thread and back; with others
    # under way the flush runs in a worker, so that they can commit meanwhile and share it
    url, alice, bob = _enrolled_database(start_server)
    synced_on: list[str] = []
    real_sync = os.fdatasync

    def recording_sync(descriptor: int) -> None:
        real_sync(descriptor)
        synced_on.append(threading.current_thread().name)

    monkeypatch.setattr(sqlite_backend.os, "fdatasync", recording_sync)
    app = create_app(url, Settings())
    body = os.urandom(20_000)

    def send(message_id: str):
        query = urlencode([("message_id", message_id), ("to", bob.staff_id)], quote_via=quote)
        return _answer(app, _request(alice, "POST", "/v1/messages", query, body), body, [])

    async def run() -> tuple[list[str], list[str]]:
        async with app.app.router.lifespan_context(app.app):
            synced_on.clear()
            assert (await send("alone"))[0] == 201
            alone = list(synced_on)
            synced_on.clear()
            answers = await asyncio.gather(*(send(f"together-{n}") for n in range(3)))
            assert [status for status, _ in answers] == [201] * 3
            return alone, list(synced_on)

    alone, together = asyncio.run(run())
    loop_thread = threading.main_thread().name
    assert alone == [loop_thread]
    assert together[0] == loop_thread  # the first found nobody under way...
    assert together[1:] and all(name != loop_thread for name in together[1:])  # ...then others


def test_the_event_loops_commits_are_checkpointed_in_the_background(start_server):
    # its connection does not checkpoint (two fsyncs on the loop); a background thread does,
    # so the WAL is reused instead of growing with every request
    url, alice, _ = _enrolled_database(start_server)
    app = create_app(url, Settings(requests_per_minute=100_000))
    rounds = 3 * sqlite_backend.CHECKPOINT_EVERY_COMMITS

    async def run() -> list[int]:
        sizes = []
        async with app.app.router.lifespan_context(app.app):
            for n in range(rounds):
                status, content = await _answer(app, _request(alice, "GET", "/v1/inbox"), b"",
                                                [])
                assert (status, json.loads(content)) == (200, {"messages": []})
                if n % 50 == 49:
                    await asyncio.sleep(0.05)  # the checkpoint thread's turn
                    sizes.append(os.path.getsize(url.removeprefix("sqlite:///") + "-wal"))
        return sizes

    sizes = asyncio.run(run())
    assert sizes[-1] <= max(sizes[: len(sizes) // 2]) * 1.5, sizes  # reused, not growing

