"""Group commit: concurrent durable commits share a flush, none is answered before one that
started after it, and a kill -9 in the middle of a batch loses nothing that was answered."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from endpoint_support import enrolment_factory

from medsnap_endpoint.client import EndpointClient
from medsnap_endpoint.loop_seal import LoopSeal
from medsnap_endpoint.storage import open_database
from medsnap_endpoint.storage.sealer import Sealer

WRITERS = 16


def test_each_waiter_returns_only_after_a_flush_that_started_after_its_commit():
    flushes: list[tuple[float, float]] = []

    def slow_flush() -> None:
        started = time.monotonic()
        time.sleep(0.02)  # a slow disk: commits pile up behind the running flush
        flushes.append((started, time.monotonic()))

    sealer = Sealer(slow_flush)
    waits: list[tuple[float, float]] = []
    lock = threading.Lock()
    gate = threading.Barrier(WRITERS)

    def commit_then_wait() -> None:
        gate.wait()
        committed = time.monotonic()
        sealer.wait()
        with lock:
            waits.append((committed, time.monotonic()))

    threads = [threading.Thread(target=commit_then_wait) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(waits) == WRITERS
    for committed, returned in waits:
        assert any(committed <= start and end <= returned for start, end in flushes)
    assert len(flushes) < WRITERS / 2  # shared, not one fsync each
    assert sealer.flushes == len(flushes)


def test_a_failed_flush_fails_its_leader_and_the_next_waiter_flushes_again():
    attempts: list[str] = []
    entered = threading.Event()

    def flaky_flush() -> None:
        attempts.append("flush")
        if len(attempts) == 1:
            entered.set()
            time.sleep(0.05)  # let the follower queue behind this failing flush
            raise OSError("disk full")

    sealer = Sealer(flaky_flush)
    outcome: dict[str, object] = {}

    def leader() -> None:
        try:
            sealer.wait()
            outcome["leader"] = "sealed"
        except OSError as error:
            outcome["leader"] = error

    first = threading.Thread(target=leader)
    first.start()
    assert entered.wait(5)
    sealer.wait()  # committed while the failing flush ran: must not count it as durable
    first.join()
    assert isinstance(outcome["leader"], OSError)
    assert attempts == ["flush", "flush"]


def test_commits_waiting_on_the_event_loop_share_flushes_that_started_after_them():
    # LoopSeal: commits made on the loop wait together through one worker call per flush
    flushes: list[tuple[float, float]] = []

    def slow_flush() -> None:
        started = time.monotonic()
        time.sleep(0.02)
        flushes.append((started, time.monotonic()))

    sealer = Sealer(slow_flush)

    async def commits() -> list[tuple[float, float]]:
        seal = LoopSeal(sealer, workers)
        waits: list[tuple[float, float]] = []

        async def commit_then_wait(delay: float) -> None:
            await asyncio.sleep(delay)  # some commit while a flush is already running
            committed = time.monotonic()
            await seal.wait()
            waits.append((committed, time.monotonic()))

        await asyncio.gather(*(commit_then_wait(n * 0.003) for n in range(WRITERS)))
        return waits

    with ThreadPoolExecutor(4) as workers:
        waits = asyncio.run(commits())
    assert len(waits) == WRITERS
    for committed, returned in waits:
        assert any(committed <= start and end <= returned for start, end in flushes)
    assert len(flushes) < WRITERS / 2


def test_a_failed_flush_fails_the_commits_waiting_on_the_event_loop():
    def failing_flush() -> None:
        raise OSError("disk full")

    async def commit_then_wait() -> None:
        await LoopSeal(Sealer(failing_flush), workers).wait()

    with ThreadPoolExecutor(1) as workers, pytest.raises(OSError, match="disk full"):
        asyncio.run(commit_then_wait())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_durable_transactions_all_land_with_fewer_flushes(backend,
                                                                     make_database_url):
    database = open_database(make_database_url(backend))
    try:
        def write(n: int) -> None:
            for k in range(5):
                with database.transaction(write=True) as tx:
                    tx.execute("INSERT INTO rate_limits (bucket, window_start, hits) "
                               "VALUES (?, 0, 1)", (f"w{n}-{k}",))

        before = database.sealer.flushes
        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(write, range(WRITERS)))
        with database.transaction() as tx:
            count = tx.one("SELECT COUNT(*) FROM rate_limits WHERE bucket LIKE ?", ("w%",))
        assert count == (WRITERS * 5,)
        flushes = database.sealer.flushes - before
        print(f"{WRITERS * 5} durable commits, {flushes} flushes")
        assert 1 <= flushes < WRITERS * 5  # some commits shared a flush
        with database.transaction(write=True, durable=False) as tx:  # bookkeeping: no flush
            tx.execute("INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('x', 0, 1)")
        assert database.sealer.flushes - before == flushes
    finally:
        database.close()


def test_sqlite_durable_commit_syncs_the_wal_before_returning(make_database_url, monkeypatch):
    from medsnap_endpoint.storage import sqlite as backend

    database = open_database(make_database_url("sqlite"))
    synced: list[str] = []

    def recording(real):  # calls through: the real sync runs
        def sync(descriptor: int) -> None:
            synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
            real(descriptor)
        return sync

    # fdatasync is enough for the WAL (its data and size); fsync would also be
    for name in ("fsync", "fdatasync"):
        monkeypatch.setattr(backend.os, name, recording(getattr(os, name)))
    try:
        with database.transaction(write=True) as tx:
            tx.execute("INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('d', 0, 1)")
        assert str(database.path) + "-wal" in synced
    finally:
        database.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_during_a_batch_of_sends_loses_nothing_answered(backend, start_server):
    running = start_server(backend)
    make = enrolment_factory(running)
    receiver = make("Receiver")
    senders = [make(f"Sender {n}") for n in range(WRITERS)]
    answered: dict[tuple[str, str], str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def keep_sending(sender: EndpointClient) -> None:
        n = 0
        while not stop.is_set():
            body = os.urandom(50_000 + n)
            message_id = f"batch-{n}"
            try:
                reply = sender.send(message_id, [receiver.staff_id], body)
            except Exception:  # the server died under this request: not answered, not counted
                return
            assert reply["duplicate"] is False
            with lock:
                answered[(sender.staff_id, message_id)] = hashlib.sha256(body).hexdigest()
            n += 1

    workers = [threading.Thread(target=keep_sending, args=(s,)) for s in senders]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while len(answered) < 3 * WRITERS and time.monotonic() < deadline:
        time.sleep(0.01)
    running.kill()  # mid-batch: other sends are between commit and flush, or mid-upload
    stop.set()
    for worker in workers:
        worker.join(30)
    assert len(answered) >= 3 * WRITERS
    running.start()

    stored = {(item["sender"], item["message_id"]): item for item in receiver.inbox()}
    assert set(answered) <= set(stored)
    for key, digest in answered.items():
        assert hashlib.sha256(receiver.download(stored[key]["id"])).hexdigest() == digest
    for key in set(stored) - set(answered):  # committed before the kill, reply lost: whole
        body = receiver.download(stored[key]["id"])
        assert hashlib.sha256(body).hexdigest() == stored[key]["sha256"]
    assert running.admin("verify-audit").returncode == 0


def test_postgresql_seal_flushes_the_wal_past_an_asynchronous_commit(make_database_url):
    database = open_database(make_database_url("postgresql"))
    try:
        with database.transaction(write=True, durable=False) as tx:  # committed, not flushed
            tx.execute("INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('a', 0, 1)")
            # the end of this transaction's WAL so far; its commit record comes right after
            written = tx.one("SELECT pg_current_wal_insert_lsn()::text")[0]
        database.sealer.wait()
        with database.transaction() as tx:
            flushed_past = tx.one("SELECT pg_current_wal_flush_lsn() > ?::pg_lsn", (written,))
        assert flushed_past == (True,)
    finally:
        database.close()


# a write as a function, as the route functions are: the end of its WAL and the setting its
# commit will follow
_WRITING_FUNCTION = """
CREATE FUNCTION test_write(p_bucket TEXT, OUT o_written TEXT, OUT o_setting TEXT)
LANGUAGE sql AS $fn$
    INSERT INTO rate_limits (bucket, window_start, hits) VALUES (p_bucket, 0, 1);
    SELECT pg_current_wal_insert_lsn()::text, current_setting('synchronous_commit');
$fn$"""
_INSERT_RETURNING_LSN = "SELECT * FROM test_write(?)"


def _database_with_writing_function(url: str):
    database = open_database(url)
    with database.transaction(write=True, durable=False) as tx:
        tx.execute(_WRITING_FUNCTION)
    return database


def test_postgresql_durable_statement_alone_commits_synchronously_without_a_seal(
        make_database_url):
    database = _database_with_writing_function(make_database_url("postgresql"))
    try:
        database.single("SELECT 1")  # a pooled connection, as a running server has
        before = database.sealer.flushes
        for n in range(5):
            written, setting = database.single_durable(_INSERT_RETURNING_LSN, (f"alone-{n}",))[0]
            assert setting == "on"  # its own commit flushes the WAL, no second transaction
            with database.transaction() as tx:
                flushed_past = tx.one("SELECT pg_current_wal_flush_lsn() > ?::pg_lsn",
                                      (written,))
            assert flushed_past == (True,)
        assert database.sealer.flushes == before
    finally:
        database.close()


def test_postgresql_durable_statement_under_way_with_others_shares_the_seal(make_database_url):
    database = _database_with_writing_function(make_database_url("postgresql"))
    try:
        before = database.sealer.flushes
        with database.transaction() as tx:  # another request's connection is in use
            tx.one("SELECT 1")
            written, setting = database.single_durable(_INSERT_RETURNING_LSN, ("busy",))[0]
        assert setting == "off"  # committed without waiting: the chain lock is not held
        assert database.sealer.flushes == before + 1  # ... during the shared flush
        with database.transaction() as tx:
            flushed_past = tx.one("SELECT pg_current_wal_flush_lsn() > ?::pg_lsn", (written,))
        assert flushed_past == (True,)
        # alone now, but others were under way a moment ago: more may come, so still shared
        assert database.single_durable(_INSERT_RETURNING_LSN, ("soon after",))[0][1] == "off"
        assert database.sealer.flushes == before + 2
    finally:
        database.close()
