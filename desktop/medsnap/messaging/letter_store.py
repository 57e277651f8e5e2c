"""The SQLite settings the outbox and the inbox share: they hold whole letters as ciphertext.

64 KiB pages: a 5 MB letter is 80 pages instead of 1280, so storing it and reading it back
take about half the time, and the write-ahead log reaches SQLite's 1000-page checkpoint after
about 64 MB instead of within the commit of every letter (a checkpoint copies the letter into
the database a second time, and fsyncs it). The page size applies when a database is created;
one made before keeps its 4 KiB pages and works as it did.
"""

from __future__ import annotations

import sqlite3
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
