"""PostgreSQL: acknowledged ciphertext's space is reused within seconds, not after autovacuum."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid

from endpoint_harness import free_port
from endpoint_support import enrolment_factory

from medsnap_endpoint.storage.pg_reclaim import ChunkReclaimer

MESSAGES, SIZE = 4, 1_000_000


def _stats(url: str) -> tuple[int, int, int]:
    """message_chunks' rows deleted (as PostgreSQL's statistics count them, a second or so
    late), VACUUMs run by hand - not autovacuum's - and bytes, with its TOAST."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(
            "SELECT n_tup_del, vacuum_count, pg_total_relation_size('message_chunks') "
            "FROM pg_stat_all_tables WHERE relid = 'message_chunks'::regclass").fetchone()


def _settled(url: str, deleted: int, poke) -> tuple[int, int, int]:
    """The statistics once they count ``deleted`` rows and the endpoint (looking every second)
    has had two looks since: a VACUUM started after every deletion has run. A connection
    reports its counts at its next transaction a second on, or after 10 s idle: ``poke`` makes
    requests meanwhile."""
    deadline = time.monotonic() + 20
    while _stats(url)[0] < deleted:
        assert time.monotonic() < deadline, "the deletions were never counted"
        poke()
        time.sleep(0.2)
    time.sleep(2.5)
    return _stats(url)


def _exchange_and_acknowledge(alice, bob) -> None:
    for _ in range(MESSAGES):
        alice.send(uuid.uuid4().hex, [bob.staff_id], os.urandom(SIZE))
    for item in bob.inbox():
        bob.acknowledge(item["id"])


def test_acknowledged_ciphertext_space_is_reused(start_server):
    running = start_server("postgresql", "--reclaim-interval-seconds", "1")
    url = running.database_url
    make = enrolment_factory(running)
    alice, bob = make(), make()

    _exchange_and_acknowledge(alice, bob)  # (each message one chunk: one row deleted each)
    _, vacuums, size = _settled(url, MESSAGES, bob.inbox)
    assert vacuums >= 1

    # with nothing deleted since, the endpoint leaves the table alone
    time.sleep(3)
    assert _stats(url)[1] == vacuums

    # the next messages go into the space the first ones left (without the VACUUM the table
    # grows by their whole size: autovacuum would not have come by yet)
    _exchange_and_acknowledge(alice, bob)
    _, again, grown = _settled(url, 2 * MESSAGES, bob.inbox)
    assert again > vacuums
    assert grown - size < MESSAGES * SIZE / 4, (size, grown)


def test_a_database_that_cannot_be_reached_is_logged_and_retried(caplog):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    reclaimer = ChunkReclaimer(url, timeout_seconds=5)

    async def run_briefly() -> None:
        task = asyncio.create_task(reclaimer.run_forever(0.05))
        await asyncio.sleep(0.5)
        assert not task.done()  # still retrying, never crashed out
        task.cancel()

    with caplog.at_level(logging.WARNING, logger="medsnap_endpoint"):
        asyncio.run(run_briefly())
    assert "reclaiming acknowledged ciphertext's space failed" in caplog.text
    assert reclaimer.vacuums == 0


def test_reclaiming_can_be_left_to_autovacuum(start_server):
    running = start_server("postgresql", "--reclaim-interval-seconds", "0")
    make = enrolment_factory(running)
    alice, bob = make(), make()
    _exchange_and_acknowledge(alice, bob)
    assert _settled(running.database_url, MESSAGES, bob.inbox)[1] == 0
