"""PostgreSQL from the event loop: the hot routes' one statement per request, bounded in time.

A call handed to a worker thread costs two thread wake-ups and a hand-back through the loop's
self-pipe; psycopg's :class:`~psycopg.AsyncConnection` waits on the socket in the loop itself.
A database that stops answering cannot stall the loop: every call (a free connection, the
statement, the durability flush) must finish within ``timeout_seconds``, else it is cancelled
(psycopg cancels the statement in the server), its connection dropped, and the request refused
with 503 ``database_unavailable``. Each connection also carries a ``statement_timeout``, so a
statement the client gave up on ends in the server too.

Durability as :meth:`.postgres.PostgresDatabase.single_durable`: a statement with nothing else
under way here commits synchronously itself; under concurrency it commits asynchronously and
waits for a shared flush (:class:`AsyncSealer`, the loop's own group commit).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from medsnap_endpoint.errors import Unavailable
from medsnap_endpoint.storage.postgres import QUIET_SECONDS, SEAL_STATEMENT, synchronous

POOL_SIZE = 10

log = logging.getLogger("medsnap_endpoint")


def unavailable(what: str) -> Unavailable:
    return Unavailable(f"The endpoint's database {what}. Your request may not have been "
                       "carried out; repeating it is safe (a message is stored once, whatever "
                       "the retries). If it persists, tell IT.", code="database_unavailable")


def unreachable(error: BaseException) -> Unavailable | None:
    """The refusal for PostgreSQL stopped, unreachable or refusing work (psycopg's
    OperationalError, from the blocking driver outside the loop's bounded calls), which was
    answered as an unexpected 500 with a traceback; None for any other error."""
    import sys

    psycopg = sys.modules.get("psycopg")  # (never imported for a SQLite endpoint)
    if psycopg is None or not isinstance(error, psycopg.OperationalError):
        return None
    return lost(error)


def lost(error: BaseException) -> Unavailable:
    """The refusal for psycopg's OperationalError, with the driver's reason in one warning
    line (a traceback says nothing more to IT here)."""
    log.warning("PostgreSQL unreachable: %s", _first_line(error))
    return unavailable("cannot be reached")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class AsyncSealer:
    """:class:`.sealer.Sealer` for one event loop: every commit made before a flush starts is
    durable once it ends; one flush at a time, led by whoever finds none running."""

    def __init__(self, flush: Callable[[], Awaitable[None]]):
        self._flush = flush
        self._changed = asyncio.Condition()
        self._committed = 0
        self._sealed = 0
        self._flushing = False
        self.flushes = 0

    def idle(self) -> bool:
        return not self._flushing and self._sealed == self._committed

    async def wait(self) -> None:
        async with self._changed:
            self._committed += 1
            ticket = self._committed
            while self._sealed < ticket:
                if self._flushing:
                    await self._changed.wait()
                    continue
                covered = self._committed
                self._flushing = True
                self._changed.release()
                try:
                    await self._flush()
                finally:  # on failure (or cancellation) a follower leads the next flush
                    await self._changed.acquire()
                    self._flushing = False
                    self.flushes += 1
                    self._changed.notify_all()
                self._sealed = max(self._sealed, covered)


class AsyncPostgres:
    """A few :class:`psycopg.AsyncConnection` (autocommit, asynchronous commits) for one loop."""

    def __init__(self, url: str, *, timeout_seconds: float, size: int = POOL_SIZE):
        import psycopg

        self._psycopg = psycopg
        self.url = url
        self.timeout_seconds = timeout_seconds
        self._idle: list[Any] = []
        self._slots = asyncio.Semaphore(size)
        self._in_use = 0
        self._crowded_at = float("-inf")
        self._sealing: Any = None
        self._sealer_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sealer = AsyncSealer(self._flush_log)

    async def single(self, sql: str, params: Sequence[Any], *, durable: bool = False
                     ) -> list[tuple]:
        """One query (a SELECT) as its own transaction; ``durable``: returned once on disk."""
        try:
            async with asyncio.timeout(self.timeout_seconds):
                async with self._slots:
                    self._in_use += 1
                    if self._in_use > 1:
                        self._crowded_at = time.monotonic()
                    try:
                        alone = durable and self._in_use == 1 and self.sealer.idle() \
                            and time.monotonic() - self._crowded_at > QUIET_SECONDS
                        rows = await self._execute(synchronous(sql) if alone else sql, params)
                    finally:
                        self._in_use -= 1
                if durable and not alone:
                    await self.sealer.wait()
                return rows
        except (TimeoutError, self._psycopg.errors.QueryCanceled):
            raise unavailable(f"did not answer within {self.timeout_seconds:g} seconds"
                              ) from None
        except self._psycopg.OperationalError as error:
            raise lost(error) from None

    async def _execute(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        # each connection with its prepared statements, called through libpq (.pg_wire)
        connection, statements = self._idle.pop() if self._idle else await self._connect()
        healthy = False
        try:
            rows = await statements.rows(sql, params)
            healthy = True
            return rows
        except self._psycopg.Error:
            healthy = not connection.broken  # a refused statement leaves it usable
            raise
        except BaseException:  # cancelled (timed out) mid-statement: ended in the server too
            statements.detach()
            await _cancel_quietly(connection)
            raise
        finally:
            if healthy and not connection.closed:
                self._idle.append((connection, statements))
            else:
                statements.detach()
                await _close_quietly(connection)

    async def _connect(self) -> tuple[Any, Any]:
        connection = await self._psycopg.AsyncConnection.connect(self.url, autocommit=True)
        # as PostgresDatabase: commits do not wait for the disk; the sealer makes them durable
        await connection.execute("SET synchronous_commit TO OFF")
        # (a second later than the loop's own timeout: it ends what the loop gave up on)
        milliseconds = int(self.timeout_seconds + 1) * 1000
        await connection.execute(f"SET statement_timeout TO {milliseconds}")
        # generic plans: the plan cache never settled on one for medsnap_send's statements over
        # unnest(p_recipients) (a plan for the one recipient given looked cheaper than the
        # generic one, which assumes ten), so they were planned again at every send: 0.2 ms of
        # PostgreSQL's CPU per send. Every other hot statement is a key lookup whose generic
        # plan the cache had chosen already.
        await connection.execute("SET plan_cache_mode TO force_generic_plan")
        from medsnap_endpoint.storage.pg_wire import WireStatements  # (psycopg: PostgreSQL only)

        return connection, WireStatements(connection)

    async def _flush_log(self) -> None:
        try:
            if self._sealing is None or self._sealing.closed or self._sealing.broken:
                self._sealing = await self._psycopg.AsyncConnection.connect(
                    self.url, autocommit=True)
                await self._sealing.execute("SET synchronous_commit TO ON")
            await self._sealing.execute(SEAL_STATEMENT, (self._sealer_id, int(time.time())))
        except BaseException:
            sealing, self._sealing = self._sealing, None
            if sealing is not None:
                await _close_quietly(sealing)
            raise

    async def close(self) -> None:
        for _, statements in self._idle:
            statements.detach()
        for connection in [*(connection for connection, _ in self._idle), self._sealing]:
            if connection is not None:
                await _close_quietly(connection)
        self._idle, self._sealing = [], None


async def _cancel_quietly(connection: Any) -> None:
    try:
        await connection.cancel_safe(timeout=5.0)
    except Exception:  # the connection is dropped after either way
        pass


async def _close_quietly(connection: Any) -> None:
    try:
        await connection.close()
    except Exception:  # a broken connection is discarded either way
        pass
