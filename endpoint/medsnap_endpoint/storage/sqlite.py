"""SQLite backend: one file in WAL mode; durable commits share one fsync of the WAL (group commit).

Within a process, writers queue on a lock (woken at once) rather than on SQLite's busy handler,
which sleeps for milliseconds at a time; writers in other processes (the admin command) still
meet the busy timeout.
"""

from __future__ import annotations

import os
import sqlite3
import threading
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
        self._writer = threading.Lock()
        self._synced_inode = -1

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS,
                                     isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a commit is in the WAL (safe from a killed process) without an fsync; durable
        # transactions then wait for the sealer's fsync of the WAL (_flush_log), which makes
        # them safe from a power cut as FULL would, one fsync for many concurrent commits.
        # Checkpoints still sync the WAL before and the database file after copying.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        return connection

    def _begin(self, connection: sqlite3.Connection, write: bool) -> None:
        if not write:
            connection.execute("BEGIN")
            return
        self._writer.acquire()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._writer.release()
            raise

    def _end(self, connection: sqlite3.Connection, write: bool) -> None:
        if write:
            self._writer.release()

    def _flush_log(self) -> None:
        # fsync is per file, not per descriptor: this covers frames written by every connection
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            descriptor = os.open(wal, os.O_RDONLY)
        except FileNotFoundError:  # the last connection checkpointed and removed it (synced)
            descriptor = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
            inode = os.fstat(descriptor).st_ino
        finally:
            os.close(descriptor)
        if inode != self._synced_inode:  # a new WAL file: its directory entry must last too
            _fsync_directory(self.path.parent)
            self._synced_inode = inode

    def _commit(self, connection: sqlite3.Connection) -> None:
        connection.execute("COMMIT")

    def _rollback(self, connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            connection.execute("ROLLBACK")

    def _execute(self, connection: sqlite3.Connection, sql: str, params: Sequence[Any]) -> Any:
        return connection.execute(sql, tuple(params))

    def _single(self, connection: sqlite3.Connection, sql: str, params: Sequence[Any],
                write: bool) -> list[Any]:
        if write:
            self._writer.acquire()
        try:  # autocommit: the statement commits once all its rows are read
            return connection.execute(sql, tuple(params)).fetchall()
        finally:
            if write:
                self._writer.release()

    def _usable(self, connection: sqlite3.Connection) -> bool:
        try:
            return not connection.in_transaction
        except sqlite3.Error:
            return False

    def _serialize(self, connection: sqlite3.Connection, name: str) -> None:
        # A write transaction (BEGIN IMMEDIATE) already excludes every other writer.
        if not connection.in_transaction:
            raise RuntimeError("serialize() needs an open transaction")


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
