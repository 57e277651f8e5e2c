"""Waiting on the event loop for commits made on it to be durable: one worker call per flush.

Each durable commit made on the loop's thread (:mod:`.hot_routes`) must be answered only once
the database's :class:`~medsnap_endpoint.storage.sealer.Sealer` has flushed past it. Handing
every such wait to its own worker thread woke one thread per message; here the commits waiting
together share one ``sealer.wait()`` in one worker, called after all of them were made, so the
flush it waits for covers them all. Commits made meanwhile wait for the next call.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor, Future

from medsnap_endpoint.storage.sealer import Sealer


class LoopSeal:
    """For one event loop and one sealer."""

    def __init__(self, sealer: Sealer, workers: Executor):
        self._sealer = sealer
        self._workers = workers
        self._waiting: list[asyncio.Future[None]] = []
        self._running = False

    def busy(self) -> bool:
        """A flush is being waited for in a worker (a commit now joins the next one)."""
        return self._running

    async def wait(self) -> None:
        """Return once every commit this loop made before the call is durable (or raise the
        flush's error, as :meth:`Sealer.wait` does)."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if not self._running:
            self._start()
        await waiter

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        batch, self._waiting = self._waiting, []
        self._running = True
        try:
            flushed = self._workers.submit(self._sealer.wait)  # its ticket follows their commits
        except RuntimeError as error:  # the workers were shut down: the app is stopping
            self._running = False
            for waiter in batch:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        flushed.add_done_callback(
            lambda done: loop.call_soon_threadsafe(self._finish, batch, done))

    def _finish(self, batch: list[asyncio.Future[None]], done: Future) -> None:
        self._running = False
        error = done.exception()
        for waiter in batch:
            if waiter.done():  # its request was cancelled (client gone)
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)
        if self._waiting:
            self._start()
