"""SQLite backend: one file in WAL mode, full fsync on commit, writers queue on a busy timeout."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medsnap_endpoint.storage.base import Database

BUSY_TIMEOUT_SECONDS = 60


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str, path: Path, *, pool_size: int = 8):
        super().__init__(url, pool_size=pool_size)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                     isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        # FULL: a message acknowledged as stored survives a power cut, not only a killed process.
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        return connection

    def _begin(self, connection: sqlite3.Connection, write: bool) -> None:
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def _relax_durability(self, connection: sqlite3.Connection, relaxed: bool) -> None:
        # WAL + NORMAL: the commit is in the log (safe from a crash) without an fsync; the next
        # FULL commit syncs it along with its own pages
        connection.execute(f"PRAGMA synchronous={'NORMAL' if relaxed else 'FULL'}")

    def _commit(self, connection: sqlite3.Connection) -> None:
        connection.execute("COMMIT")

    def _rollback(self, connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            connection.execute("ROLLBACK")

    def _execute(self, connection: sqlite3.Connection, sql: str, params: Sequence[Any]) -> Any:
        return connection.execute(sql, tuple(params))

    def _usable(self, connection: sqlite3.Connection) -> bool:
        # never pool a connection left in relaxed (NORMAL) durability by a failed reset
        try:
            full = connection.execute("PRAGMA synchronous").fetchone()[0] == 2
            return full and not connection.in_transaction
        except sqlite3.Error:
            return False

    def _serialize(self, connection: sqlite3.Connection, name: str) -> None:
        # A write transaction (BEGIN IMMEDIATE) already excludes every other writer.
        if not connection.in_transaction:
            raise RuntimeError("serialize() needs an open transaction")
