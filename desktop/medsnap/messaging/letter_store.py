"""The SQLite settings the outbox and the inbox share: they hold whole letters as ciphertext.

64 KiB pages: a 5 MB letter is 80 pages instead of 1280, so storing it and reading it back
take about half the time, and the write-ahead log reaches SQLite's 1000-page checkpoint after
about 64 MB instead of within the commit of every letter (a checkpoint copies the letter into
the database a second time, and fsyncs it). The page size applies when a database is created;
one made before keeps its 4 KiB pages and works as it did.

Checkpoint: a letter is durable once its commit has fsynced the write-ahead log. Copying it
from the log into the database file (and fsyncing that) is housekeeping, which SQLite does
when the last connection closes: ~10 ms per 5 MB letter, at the end of every command.
``BackgroundCheckpoint.start`` begins that copy on a thread of its own right after a letter is
stored, while the command goes on (the upload, the acknowledgement); the store's ``close``
waits for it, and then has only the last small commits to copy. A checkpoint never changes
what is stored, only where, and a crash in the middle of one loses nothing (SQLite replays the
log at the next open).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


def open_letter_store(path: Path | str, schema: str) -> sqlite3.Connection:
    """A connection in autocommit mode: WAL, every commit fsynced, foreign keys enforced."""
    db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    db.execute("PRAGMA page_size=65536")  # before WAL: a new database is created with it
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # what is stored survives a power cut
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(schema)
    return db


class BackgroundCheckpoint:
    """At most one passive checkpoint of one store at a time, each on a thread of its own."""

    def __init__(self, path: Path | str):
        self._path = str(path)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Copy the log into the database file now, unless a copy is still going on (the
        close copies whatever it leaves)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._checkpoint, daemon=True,
                                        name="letter-store-checkpoint")
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _checkpoint(self) -> None:
        try:
            db = sqlite3.connect(self._path, isolation_level=None, timeout=30)
            try:  # PASSIVE: never waits for, nor blocks, a reader or a writer
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                db.close()
        except sqlite3.Error:  # housekeeping only: the close checkpoints what is left
            pass
