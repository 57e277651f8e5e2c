"""PostgreSQL called from the event loop (storage/pg_async.py): a stalled database gives a
clear 503 within the timeout while the endpoint keeps answering; the loop's group commit."""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg
from endpoint_support import enrolment_factory

from medsnap_endpoint.audit import CHAIN_LOCK_NAME
from medsnap_endpoint.client import EndpointRefused
from medsnap_endpoint.storage.pg_async import AsyncPostgres, AsyncSealer
from medsnap_endpoint.storage.postgres import lock_key


def test_a_stalled_database_is_refused_in_time_and_nothing_else_waits(start_server):
    server = start_server("postgresql", "--database-timeout-seconds", "1")
    make = enrolment_factory(server)
    alice, bob = make(), make()
    alice.send("before", [bob.staff_id], b"first")  # the key is cached: later calls on the loop
    outcome: dict[str, object] = {}
    with psycopg.connect(server.database_url, autocommit=True) as blocker:
        # every hot route appends to the audit chain: holding its lock stalls them all
        blocker.execute("SELECT pg_advisory_lock(%s)", (lock_key(CHAIN_LOCK_NAME),))

        def stalled_send() -> None:
            started = time.monotonic()
            try:
                alice.send("during", [bob.staff_id], b"second")
                outcome["answer"] = "stored"
            except EndpointRefused as refusal:
                outcome["answer"] = (refusal.status, refusal.code, refusal.message)
            outcome["seconds"] = time.monotonic() - started

        sender = threading.Thread(target=stalled_send)
        sender.start()
        time.sleep(0.3)
        started = time.monotonic()
        assert alice.healthz()["status"] == "ok"  # the loop is not stalled with it
        assert time.monotonic() - started < 0.5
        sender.join(15)
        blocker.execute("SELECT pg_advisory_unlock(%s)", (lock_key(CHAIN_LOCK_NAME),))
    status, code, message = outcome["answer"]  # type: ignore[misc]
    assert (status, code) == (503, "database_unavailable")
    assert "did not answer within 1 seconds" in message and "repeating it is safe" in message
    assert 0.9 < outcome["seconds"] < 8  # type: ignore[operator]
    # the stalled statement was cancelled: nothing of it stored; sent again, it is new
    assert alice.send("during", [bob.staff_id], b"second")["duplicate"] is False
    assert sorted(item["message_id"] for item in bob.inbox()) == ["before", "during"]
    server.admin("verify-audit")
    for client in make.clients:  # type: ignore[attr-defined]
        client.close()


def test_loop_commits_share_flushes_and_a_failed_flush_is_led_again():
    flushes: list[tuple[float, float]] = []

    async def slow_flush() -> None:
        started = time.monotonic()
        await asyncio.sleep(0.02)
        if len(flushes) == 1:
            flushes.append((started, -1.0))
            raise OSError("disk full")
        flushes.append((started, time.monotonic()))

    async def main() -> list[object]:
        sealer = AsyncSealer(slow_flush)

        async def commit_then_wait(delay: float) -> object:
            await asyncio.sleep(delay)
            committed = time.monotonic()
            try:
                await sealer.wait()
            except OSError as error:
                return error
            return committed, time.monotonic()

        results = await asyncio.gather(*(commit_then_wait(n * 0.003) for n in range(16)))
        assert sealer.idle() and sealer.flushes == len(flushes)
        return results

    results = asyncio.run(main())
    failed = [r for r in results if isinstance(r, OSError)]
    assert len(failed) == 1  # only the failed flush's leader
    for committed, returned in (r for r in results if not isinstance(r, OSError)):
        assert any(committed <= start and 0 <= end <= returned for start, end in flushes)
    assert len(flushes) < 8  # shared, not one each


def test_loop_connections_use_generic_plans_and_end_abandoned_statements(pg_cluster):
    """(The send function's statements over its recipients array were planned again at every
    call with the plan cache's default mode.)"""
    url = pg_cluster.create_database()

    async def settings() -> list[tuple]:
        database = AsyncPostgres(url, timeout_seconds=2)
        try:
            return await database.single(
                "SELECT current_setting('plan_cache_mode'), current_setting('statement_timeout'), "
                "current_setting('synchronous_commit') WHERE ?::int = 1", (1,))
        finally:
            await database.close()

    assert asyncio.run(settings()) == [("force_generic_plan", "3s", "off")]
