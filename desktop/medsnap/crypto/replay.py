"""Persistent replay protection: one SQLite file per reader (a clinician's own store).

Each accepted letter is recorded as (message id, SHA-256 of the exact age file, expiry). A
letter whose id is already recorded is a replay, with one exception the inbox needs: re-viewing
the *same* file (same digest) when the caller says so with ``reopen=True``. A different file
carrying a seen id (re-encrypted, re-wrapped or re-delivered by anyone) is always refused.
Rows are pruned once the letter has expired (plus the clock skew), because an expired letter
is refused before the store is consulted, so forgetting it cannot let a replay through.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from medsnap.crypto.letter_errors import Replayed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_letters (
    message_id TEXT PRIMARY KEY,
    file_sha256 TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    first_seen INTEGER NOT NULL
)
"""


class ReplayStore:
    """Message ids this reader has accepted. ``path`` may be ``":memory:"`` for tests."""

    def __init__(self, path: str | Path, *, retention_margin_seconds: int = 600):
        self._db = sqlite3.connect(str(path), isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL" if str(path) != ":memory:"
                         else "PRAGMA journal_mode=MEMORY")
        self._db.execute(_SCHEMA)
        self._margin = retention_margin_seconds

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ReplayStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, message_id: str, file_sha256: str, *, reopen: bool = False) -> None:
        """Raise :class:`Replayed` if the id was accepted before (see module notes)."""
        row = self._db.execute("SELECT file_sha256 FROM seen_letters WHERE message_id = ?",
                               (message_id,)).fetchone()
        if row is None or (reopen and row[0] == file_sha256):
            return
        raise Replayed(f"message id {message_id} was already accepted")

    def record(self, message_id: str, file_sha256: str, expires_at: int, now: int) -> None:
        """Remember an accepted letter; a concurrent first acceptance of the same id loses."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            row = self._db.execute("SELECT file_sha256 FROM seen_letters WHERE message_id = ?",
                                   (message_id,)).fetchone()
            if row is None:
                self._db.execute("INSERT INTO seen_letters VALUES (?, ?, ?, ?)",
                                 (message_id, file_sha256, expires_at, now))
            elif row[0] != file_sha256:
                raise Replayed(f"message id {message_id} was already accepted")
            self._db.execute("DELETE FROM seen_letters WHERE expires_at < ?",
                             (now - self._margin,))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def __contains__(self, message_id: object) -> bool:
        return self._db.execute("SELECT 1 FROM seen_letters WHERE message_id = ?",
                                (message_id,)).fetchone() is not None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM seen_letters").fetchone()[0])
