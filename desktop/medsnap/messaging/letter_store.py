"""The SQLite settings the outbox and the inbox share: their rows say what each letter is and
where it stands; the letters themselves (ciphertext) are files beside them (letter_files).

Page size: SQLite's default for a new database. Databases made while letters were kept in
them as blobs have 64 KiB pages (a 5 MB letter was 80 pages instead of 1280) and keep them;
for rows this small they only made every commit write 64 KiB per page touched.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_letter_store(path: Path | str, schema: str) -> sqlite3.Connection:
    """A connection in autocommit mode: WAL, every commit fsynced, foreign keys enforced."""
    db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # what is stored survives a power cut
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(schema)
    return db
