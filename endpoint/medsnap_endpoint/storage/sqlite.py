"""SQLite backend: one file in WAL mode; durable commits share one fsync of the WAL (group commit).

Within a process, writers queue on a lock (woken at once) rather than on SQLite's busy handler,
which sleeps for milliseconds at a time; writers in other processes (the admin command) still
meet the busy timeout. :meth:`SQLiteDatabase.inline_transaction` is the event loop's own way in:
it never waits for a lock, so a request whose transaction takes a fraction of a millisecond is
served without a hop to a worker thread and back.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medsnap_endpoint.storage.base import Database, Transaction, WouldBlock

BUSY_TIMEOUT_SECONDS = 60
#: the inline connection leaves checkpoints (two fsyncs) to a background thread, after this
#: many of its commits; SQLite's own automatic checkpoint comes after 1000 pages of WAL
CHECKPOINT_EVERY_COMMITS = 200


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, url: str, path: Path, *, pool_size: int = 8):
        super().__init__(url, pool_size=pool_size)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = threading.Lock()
        self._synced_inode = -1
        self._inline: sqlite3.Connection | None = None
        self._inline_commits = 0
        self._checkpointing = threading.Lock()

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
        # The same on every platform (Debian builds SQLite with secure_delete on, python.org
        # builds off): FAST zeroes deleted rows on pages written anyway, but does not rewrite
        # the overflow pages an acknowledged ciphertext leaves free (about 25 more pages of WAL
        # per 100 KB). What stays in them is ciphertext for a recipient who already has it,
        # until the pages are reused; the WAL keeps old page images for a while regardless.
        connection.execute("PRAGMA secure_delete=FAST")
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        return connection

    @contextmanager
    def inline_transaction(self) -> Iterator[Transaction]:
        """A write transaction that never waits: :class:`WouldBlock` (nothing done) if another
        thread or process holds the write lock. Its commit does not wait for the disk either: a
        durable one is followed by ``sealer.wait()`` off the event loop. For the event loop's
        thread only (one connection, used by one thread at a time)."""
        if not self._writer.acquire(blocking=False):
            raise WouldBlock
        try:
            connection = self._inline_connection()
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if _busy(error):  # another process writes (the admin command)
                    raise WouldBlock from error
                raise
            try:
                yield Transaction(self, connection)
                connection.execute("COMMIT")
            except BaseException as error:
                self._rollback(connection)
                if isinstance(error, sqlite3.OperationalError) and _busy(error):
                    raise WouldBlock from error  # rolled back: nothing happened
                raise
        finally:
            self._writer.release()
        self._inline_commits += 1
        if self._inline_commits % CHECKPOINT_EVERY_COMMITS == 0:
            threading.Thread(target=self._checkpoint, name="medsnap-checkpoint",
                             daemon=True).start()

    def _inline_connection(self) -> sqlite3.Connection:
        if self._inline is None:
            connection = self._connect()
            connection.execute("PRAGMA busy_timeout=0")  # never sleep on the event loop
            connection.execute("PRAGMA wal_autocheckpoint=0")  # see _checkpoint
            self._inline = connection
        return self._inline

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file without stopping writers (PASSIVE)."""
        if not self._checkpointing.acquire(blocking=False):
            return  # one is running
        try:
            with self._connection() as connection:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            pass  # the next one, or any connection's automatic checkpoint, catches up
        finally:
            self._checkpointing.release()

    def close(self) -> None:
        super().close()
        with self._writer:
            if self._inline is not None:
                self._inline.close()
                self._inline = None

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
            # the WAL's bytes and its size (all a reader needs), without its times: an ext4
            # fsync would also commit the journal for the changed mtime
            os.fdatasync(descriptor)
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

    def _serializing(self, name: str) -> str | None:
        return None  # (as _serialize: the write transaction is exclusive)


def _busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY,
                                                           sqlite3.SQLITE_LOCKED)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
