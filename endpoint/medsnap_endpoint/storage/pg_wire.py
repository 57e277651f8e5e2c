"""One hot statement on a psycopg connection's libpq handle, awaited on the event loop.

psycopg's :class:`~psycopg.AsyncCursor` spent about 33 us of the serving process's CPU per
call (its lock, query conversion, prepared-statement manager, generator-driven waits) around
10 us of libpq work (a loop of 9-parameter calls); a hot route makes one call. Here the same
steps are taken directly: psycopg's own :class:`~psycopg.adapt.Transformer` dumps the
parameters as the cursor did and loads the rows (binary results, so ciphertext travels as raw
bytes), each statement is prepared once per connection and parameter types (as psycopg does,
so an int is sent as the type it fits), and the socket is awaited with the loop's reader and
writer callbacks. A/B on PostgreSQL, 100 KB exchanges: serving process 2.2 -> 1.95-2.0 ms per
exchange; x16 1.05x exchanges/s, x1 within noise. A failed statement raises the same
:mod:`psycopg.errors` class psycopg would; a lost connection :class:`psycopg.OperationalError`.
The connection stays psycopg's (opened, set up and closed by it, autocommit, never used by a
cursor meanwhile).

The socket's reader stays registered with the loop from the first statement until
:meth:`WireStatements.detach` (called before the connection is closed): adding and removing it
around every wait (two ``epoll_ctl`` calls and the selector's bookkeeping, a download's answer
arriving in several reads waiting several times) was about 6% of the serving process's samples.
Its one callback reads what arrived into libpq and wakes the statement waiting, if any; what
arrives while none waits (a notice, the server ending the connection) is read all the same, so
the reader never fires again and again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer

_TUPLES_OK, _COMMAND_OK = pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK
_BINARY = pq.Format.BINARY
#: prepared statements kept per connection (the hot routes make a few, times their
#: parameters' integer widths)
PREPARED_LIMIT = 64


class WireStatements:
    """The prepared hot statements of one connection and the transformer that adapts them."""

    def __init__(self, connection: psycopg.AsyncConnection):
        self.connection = connection
        self._transformer = Transformer(connection)
        self._prepared: dict[tuple[str, tuple[int, ...]], bytes] = {}
        self._watched: tuple[asyncio.AbstractEventLoop, int] | None = None  # (loop, socket)
        self._waiter: asyncio.Future | None = None

    async def rows(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        """The rows of ``sql`` (``?`` marks its parameters) run with ``params``."""
        pgconn = self.connection.pgconn
        transformer = self._transformer
        values = transformer.dump_sequence(params, [PyFormat.AUTO] * len(params))
        key = (sql, tuple(transformer.types))
        name = self._prepared.get(key)
        if name is None:
            if len(self._prepared) >= PREPARED_LIMIT:  # (a few statements: never in practice)
                pgconn.send_query(b"DEALLOCATE ALL")
                self._check(await self._results())
                self._prepared.clear()
            name = f"medsnap_hot_{len(self._prepared)}".encode()
            pgconn.send_prepare(name, _numbered(sql).encode(), transformer.types)
            self._check(await self._results())
            self._prepared[key] = name
        pgconn.send_query_prepared(name, values, transformer.formats, _BINARY)
        result = self._check(await self._results())
        if result.status != _TUPLES_OK:
            return []
        transformer.set_pgresult(result)
        return transformer.load_rows(0, result.ntuples, tuple)

    def detach(self) -> None:
        """Stop watching the socket (before the connection is closed, or used by psycopg)."""
        watched, self._watched = self._watched, None
        if watched is not None:
            loop, socket = watched
            loop.remove_reader(socket)  # (a socket libpq closed already is forgotten as well)

    def _check(self, results: list[pq.abc.PGresult]) -> pq.abc.PGresult:
        for result in results:
            if result.status not in (_TUPLES_OK, _COMMAND_OK):
                raise psycopg.errors.error_from_result(
                    result, encoding=self.connection.info.encoding)
        return results[-1]

    async def _results(self) -> list[pq.abc.PGresult]:
        """Every result of the query just sent (the connection is non-blocking, as psycopg's
        asynchronous connections are)."""
        pgconn = self.connection.pgconn
        loop = asyncio.get_running_loop()
        if self._watched is None:
            self._watched = (loop, pgconn.socket)
            loop.add_reader(pgconn.socket, self._readable)
        while pgconn.flush():  # a large parameter not yet all sent: wait until it can go on
            await _writable(loop, pgconn.socket)
            pgconn.consume_input()
        results = []
        while True:
            while not pgconn.is_busy():
                result = pgconn.get_result()
                if result is None:
                    return results
                results.append(result)
            # (read by _readable, which raises OperationalError here once the connection is lost)
            self._waiter = loop.create_future()
            await self._waiter

    def _readable(self) -> None:
        try:
            self.connection.pgconn.consume_input()
        except psycopg.OperationalError as lost:  # (libpq closed the socket)
            self.detach()
            self._wake(lost)
        else:
            self._wake(None)

    def _wake(self, error: BaseException | None) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)


def _numbered(sql: str) -> str:
    """``?`` marks as PostgreSQL's ``$1``, ``$2``... (the hot statements quote no ``?``)."""
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))


async def _writable(loop: asyncio.AbstractEventLoop, socket: int) -> None:
    waiter = loop.create_future()
    loop.add_writer(socket, _done, waiter)
    try:
        await waiter
    finally:
        loop.remove_writer(socket)


def _done(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)
