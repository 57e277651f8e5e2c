"""LoopTraffic: blocking work runs on the event loop only while requests come one at a time;
requests that arrive while the loop is blocked are noticed, and the loop counts as crowded."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

from medsnap_endpoint import loop_traffic
from medsnap_endpoint.loop_traffic import LoopTraffic

BLOCK_SECONDS = 0.05


async def _serve_lines(traffic: LoopTraffic, decisions: list[bool], *, notice: bool,
                       block: Callable[[], None] = lambda: time.sleep(BLOCK_SECONDS),
                       connected: Callable[[], None] = lambda: None) -> asyncio.Server:
    """A line server whose requests block the loop when ``traffic`` says they are alone."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected()
        while await reader.readline():
            traffic.enter()
            try:
                alone = traffic.alone()
                decisions.append(alone)
                if alone:
                    block()  # a database round trip on the loop's thread
                    if notice:
                        await traffic.notice_arrivals()
            finally:
                traffic.leave()
            writer.write(b"done\n")
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def _exchange(server: asyncio.Server, lines: int) -> None:
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(lines):
        writer.write(b"request\n")
        await writer.drain()
        assert await reader.readline() == b"done\n"
    writer.close()


def test_requests_one_at_a_time_are_alone():
    async def scenario() -> list[bool]:
        traffic, decisions = LoopTraffic(), []
        async with await _serve_lines(traffic, decisions, notice=True) as server:
            await _exchange(server, 5)
        return decisions

    assert asyncio.run(scenario()) == [True] * 5


def _arrival_during_a_block(notice: bool) -> list[bool]:
    """Two clients, connected; the second's request arrives while the first's blocks the loop
    (sent from another thread, as a second workstation's would)."""
    blocking, sent = threading.Event(), threading.Event()
    accepted = threading.Semaphore(0)

    def block() -> None:
        if not blocking.is_set():  # the first request: until the second has been sent
            blocking.set()
            assert sent.wait(10)
            time.sleep(0.01)  # (delivered on loopback)

    def two_clients(port: int) -> None:
        first, second = (socket.create_connection(("127.0.0.1", port)) for _ in range(2))
        with first, second:
            for _ in range(2):  # both kept alive, as a workstation's (a new connection takes
                assert accepted.acquire(timeout=10)  # more loop iterations to start a request)
            first.sendall(b"request\n")
            assert blocking.wait(10)
            second.sendall(b"request\n")
            sent.set()
            for client in (first, second):
                assert client.makefile("rb").readline() == b"done\n"

    async def scenario() -> list[bool]:
        traffic, decisions = LoopTraffic(), []
        async with await _serve_lines(traffic, decisions, notice=notice, block=block,
                                      connected=accepted.release) as server:
            await asyncio.to_thread(two_clients, server.sockets[0].getsockname()[1])
        return decisions

    return asyncio.run(scenario())


def test_a_request_arriving_while_the_loop_is_blocked_is_not_alone():
    # the first was alone, so it blocked the loop; the second was noticed while the first was
    # still being served, so it would go to a worker
    assert _arrival_during_a_block(notice=True) == [True, False]


def test_without_noticing_arrivals_an_overlap_is_missed():
    # what notice_arrivals is for: else the second starts only once the first has left
    assert _arrival_during_a_block(notice=False) == [True, True]


def test_crowded_lasts_quiet_seconds(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(loop_traffic.time, "monotonic", lambda: clock[0])
    traffic = LoopTraffic()
    traffic.enter()
    traffic.enter()  # two at once
    traffic.leave()
    assert not traffic.alone()
    clock[0] += loop_traffic.QUIET_SECONDS / 2
    assert not traffic.alone()
    clock[0] += loop_traffic.QUIET_SECONDS
    assert traffic.alone()
