"""PostgreSQL: acknowledged ciphertext's space is reused within seconds, not after autovacuum."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid

import pytest
from endpoint_harness import free_port
from endpoint_support import enrolment_factory

from medsnap_endpoint.storage.pg_reclaim import ChunkReclaimer

MESSAGES, SIZE = 4, 1_000_000


def _stats(url: str) -> tuple[int, int]:
    """(VACUUMs run by hand - not autovacuum's -, bytes) of message_chunks and its TOAST."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(
            "SELECT vacuum_count, pg_total_relation_size('message_chunks') "
            "FROM pg_stat_all_tables WHERE relid = 'message_chunks'::regclass").fetchone()


def _wait_for_vacuum(url: str, after: int) -> tuple[int, int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stats = _stats(url)
        if stats[0] > after:
            return stats
        time.sleep(0.2)
    raise AssertionError("the endpoint did not VACUUM message_chunks within 20 s")


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

    _exchange_and_acknowledge(alice, bob)
    vacuums, size = _wait_for_vacuum(url, _stats(url)[0])

    # with nothing deleted since, the endpoint leaves the table alone
    time.sleep(3)
    assert _stats(url)[0] == vacuums

    # the next messages go into the space the first ones left (without the VACUUM the table
    # grows by their whole size: autovacuum would not have come by yet)
    _exchange_and_acknowledge(alice, bob)
    vacuums, grown = _wait_for_vacuum(url, vacuums)
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


@pytest.mark.parametrize("option", ["0"])
def test_reclaiming_can_be_left_to_autovacuum(start_server, option):
    running = start_server("postgresql", "--reclaim-interval-seconds", option)
    make = enrolment_factory(running)
    alice, bob = make(), make()
    before = _stats(running.database_url)[0]
    _exchange_and_acknowledge(alice, bob)
    time.sleep(3)
    assert _stats(running.database_url)[0] == before
