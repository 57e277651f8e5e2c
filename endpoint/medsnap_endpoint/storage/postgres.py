"""PostgreSQL backend (psycopg 3): several endpoint processes may share one database."""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import Sequence
from typing import Any

from medsnap_endpoint.storage.base import Database


def lock_key(name: str) -> int:
    """The advisory lock key of the lock named ``name`` (a signed 64-bit key)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


#: a durable statement commits synchronously itself only after this long with no other
#: statement of the process under way at the same time (see single_durable)
QUIET_SECONDS = 0.1
#: the flush of the log (see _flush_log): a process's own row rewritten, committed synchronously
SEAL_STATEMENT = ("INSERT INTO durability_seals (sealer, sealed_at) VALUES (%s, %s) "
                  "ON CONFLICT (sealer) DO UPDATE SET sealed_at = excluded.sealed_at")


def synchronous(sql: str) -> str:
    """``sql`` (one query) made to commit synchronously: SET LOCAL in the same statement, read
    when the statement commits (its own transaction)."""
    return f"SELECT s.* FROM set_config('synchronous_commit', 'on', true) AS c, ({sql}) AS s"


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 10):
        super().__init__(url, pool_size=pool_size)
        import psycopg  # imported here so SQLite-only installs never need it

        self._psycopg = psycopg
        self._sealing: Any = None  # the connection the sealer flushes through (autocommit)
        self._sealer_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _connect(self) -> Any:
        connection = self._psycopg.connect(self.url, autocommit=False)
        # Commits do not wait for the WAL flush, so the audit chain's lock is never held during
        # it; durability comes from the sealer (_flush_log) for every durable transaction.
        connection.execute("SET synchronous_commit TO OFF")
        connection.commit()
        # (psycopg's pipeline mode would send unread statements together, but measured on the
        # hot routes it cost more client CPU than the round trips it saved, and more time)
        return connection

    def _begin(self, connection: Any, write: bool) -> None:
        pass  # psycopg opens a transaction implicitly on the first statement

    def _flush_log(self) -> None:
        # A transaction that writes a row and commits synchronously flushes the WAL up to its
        # commit record: every commit before it, from any connection, is then durable. (One
        # that writes nothing commits without a flush, even holding a transaction id.) Each
        # process rewrites its own row, so processes do not queue on one another's. Only one
        # flush runs at a time (the sealer's leader), so one autocommit connection serves them.
        try:
            if self._sealing is None or self._sealing.closed or self._sealing.broken:
                self._sealing = self._psycopg.connect(self.url, autocommit=True)
                self._sealing.execute("SET synchronous_commit TO ON")
            self._sealing.execute(SEAL_STATEMENT, (self._sealer_id, int(time.time())))
        except self._psycopg.Error:
            self._drop_sealing()
            raise

    def _drop_sealing(self) -> None:
        if self._sealing is not None:
            self._sealing.close()
            self._sealing = None

    def close(self) -> None:
        super().close()
        self._drop_sealing()

    def _execute(self, connection: Any, sql: str, params: Sequence[Any]) -> Any:
        # binary protocol: ciphertext chunks travel as raw bytes, not hex text twice their size
        return connection.execute(sql.replace("?", "%s"), tuple(params), binary=True)

    def _single(self, connection: Any, sql: str, params: Sequence[Any], write: bool
                ) -> list[Any]:
        connection.autocommit = True  # the statement is its own transaction (no BEGIN/COMMIT)
        try:
            cursor = self._execute(connection, sql, params)
            return cursor.fetchall() if cursor.description else []
        finally:
            connection.autocommit = False

    def single_durable(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """One writing statement as its own transaction, returned only once durable.

        With no other connection of this process in use for a while (:data:`QUIET_SECONDS`)
        and no flush running, the statement commits synchronously itself (its commit flushes
        the WAL up to it): one round trip and one transaction fewer than committing and then
        sealing. Its locks (the audit chain's) are then held during that flush, which only
        delays a request arriving meanwhile; under concurrency the statement commits
        asynchronously and shares the sealer's flush (a synchronous commit now and then among
        concurrent requests cost about 4% of their throughput, measured)."""
        with self._connection() as connection:
            alone = self._alone(QUIET_SECONDS) and self.sealer.idle()
            if alone:
                sql = synchronous(sql)
            rows = self._single(connection, sql, params, True)
        if not alone:
            self.sealer.wait()
        return rows

    def _usable(self, connection: Any) -> bool:
        idle = self._psycopg.pq.TransactionStatus.IDLE
        return (not connection.closed and not connection.broken
                and connection.info.transaction_status == idle)

    def _serialize(self, connection: Any, name: str) -> None:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))

    def _serializing(self, name: str) -> str | None:
        return f"pg_advisory_xact_lock({lock_key(name)})"
