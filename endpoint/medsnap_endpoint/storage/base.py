"""The database interface shared by both backends: a bounded connection pool, transactions,
durable commits grouped by a :class:`~medsnap_endpoint.storage.sealer.Sealer`."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from medsnap_endpoint.storage.sealer import Sealer

Row = tuple[Any, ...]


class WouldBlock(Exception):
    """A transaction that must not wait (on the event loop) found its lock taken; nothing was
    done. Run it again in a worker thread, where waiting is fine."""


class Transaction:
    """A unit of work on one connection; committed on normal exit, rolled back on error."""

    def __init__(self, database: Database, connection: Any):
        self._database = database
        self._connection = connection

    @property
    def dialect(self) -> str:
        return self._database.dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._database._execute(self._connection, sql, params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.execute(sql, params).fetchall())

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute a statement and return the number of rows it changed."""
        return int(self.execute(sql, params).rowcount)

    def serialize(self, name: str) -> None:
        """Hold a lock named ``name`` until this transaction ends (writers queue up behind it)."""
        self._database._serialize(self._connection, name)

    def serializing(self, name: str) -> str | None:
        """:meth:`serialize` as an SQL expression, to evaluate once in a statement's result
        (no statement of its own); None where a write transaction is already exclusive."""
        return self._database._serializing(name)


class Database:
    """Base class of the backends. Thread-safe: each transaction borrows a pooled connection."""

    dialect = "abstract"

    def __init__(self, url: str, *, pool_size: int):
        self.url = url
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._borrowing = threading.Lock()
        self._borrowed = 0  # connections in use now (a hint for PostgresDatabase.single_durable)
        self._crowded_at = float("-inf")  # when more than one was last in use at once
        self._closed = False
        self.sealer = Sealer(self._flush_log)

    # backend hooks -------------------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self, connection: Any, write: bool) -> None:
        """Open a transaction; a write transaction commits without waiting for the disk."""
        raise NotImplementedError

    def _end(self, connection: Any, write: bool) -> None:
        """After commit or rollback (release what ``_begin`` took)."""

    def _flush_log(self) -> None:
        """Make every commit so far durable (one fsync of the log); see :mod:`.sealer`."""
        raise NotImplementedError

    def _commit(self, connection: Any) -> None:
        connection.commit()

    def _rollback(self, connection: Any) -> None:
        connection.rollback()

    def _execute(self, connection: Any, sql: str, params: Sequence[Any]) -> Any:
        raise NotImplementedError

    def _usable(self, connection: Any) -> bool:
        """After an error and rollback: may this connection serve the next transaction?"""
        return False

    def _serialize(self, connection: Any, name: str) -> None:
        raise NotImplementedError

    def _serializing(self, name: str) -> str | None:
        raise NotImplementedError

    # public --------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, write: bool = False, durable: bool = True) -> Iterator[Transaction]:
        """A transaction; ``write=True`` takes the write lock up front (SQLite) to avoid upgrades.

        A write transaction returns only once its commit is durable (on disk, safe from a power
        cut), sharing the fsync with concurrent commits (group commit, :class:`.Sealer`): its
        locks are released at commit, before the flush. ``durable=False`` is for bookkeeping
        whose loss in a power cut is harmless (request nonces, rate-limit counters, downloads):
        its commit survives a killed process but does not wait for the disk.
        """
        with self._connection() as connection:
            self._begin(connection, write)
            try:
                try:
                    yield Transaction(self, connection)
                except BaseException:
                    self._rollback(connection)
                    raise
                self._commit(connection)
            finally:
                self._end(connection, write)
        if write and durable:
            self.sealer.wait()  # no pooled connection is held while waiting

    def single(self, sql: str, params: Sequence[Any] = (), *, write: bool = False) -> list[Row]:
        """One statement as its own transaction, not waiting for the disk (bookkeeping and
        reads): on PostgreSQL one round trip instead of BEGIN, statement, COMMIT."""
        with self._connection() as connection:
            return self._single(connection, sql, params, write)

    def _single(self, connection: Any, sql: str, params: Sequence[Any], write: bool
                ) -> list[Row]:
        raise NotImplementedError

    def _alone(self, quiet_seconds: float) -> bool:
        """Only the caller's connection is in use, and no two were for ``quiet_seconds``."""
        return self._borrowed == 1 and time.monotonic() - self._crowded_at > quiet_seconds

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        self._slots.acquire()
        with self._borrowing:
            self._borrowed += 1
            if self._borrowed > 1:
                self._crowded_at = time.monotonic()
        connection = None
        healthy = False
        try:
            try:
                connection = self._pool.get_nowait()
            except queue.Empty:
                connection = self._connect()
            try:
                yield connection
                healthy = True
            except BaseException:
                # a refusal raised inside a transaction leaves a good connection behind;
                # only a broken one (server gone, driver error mid-statement) is dropped
                healthy = self._usable(connection)
                raise
        finally:
            if connection is not None:
                if healthy and not self._closed:
                    self._pool.put(connection)
                else:
                    self._close_quietly(connection)
            with self._borrowing:
                self._borrowed -= 1
            self._slots.release()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._close_quietly(self._pool.get_nowait())
            except queue.Empty:
                return

    def _close_quietly(self, connection: Any) -> None:
        try:
            self._disconnect(connection)
        except Exception:  # a broken connection is discarded either way
            pass

    def _disconnect(self, connection: Any) -> None:
        connection.close()
