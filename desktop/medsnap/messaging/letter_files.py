"""Letters (ciphertext only) kept as one file each beside the outbox or inbox database.

Why not a blob in SQLite: a 5 MB letter committed into the write-ahead log, then copied from
the log into the database file (a checkpoint, fsynced again), is written twice; here it is
written once (``files.replace_atomically``: one ``write``, ``fdatasync``, a rename, and the
folder synced) - about half the time of the blob's commit on the test machine, and no 5 MB
checkpoint at the close.

Crash safety: the file is complete and on disk (renamed into place from a temporary name, the
folder fsynced) before the row that names it is committed; only that row makes the letter
exist. A crash before the row leaves a file no row names: ``sweep`` removes such files once
they are an hour old (never younger: another process may be between its file and its row).
Deleting goes the other way: the row first, then the file. Letters stored before (as blobs in
the ``*_ciphertext`` tables) are still read from there.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from medsnap.files import replace_atomically

SUFFIX = ".age"
SWEEP_AFTER = 3600.0  # seconds: a file no row names, older than this, is a crash's leftover
_SAFE_ID = re.compile(r"[0-9A-Za-z_-]{1,100}")


def file_name(letter_id: str) -> str:
    """The id itself when it is a plain word; else a hash of it (an id comes from the
    endpoint and must never name a path elsewhere); '~' keeps the two kinds apart."""
    if _SAFE_ID.fullmatch(letter_id):
        return letter_id + SUFFIX
    return "~" + hashlib.sha256(letter_id.encode("utf-8")).hexdigest() + SUFFIX


def beside(database: Path | str) -> LetterFiles:
    """The letters of the store in ``database`` (outbox.db: the folder outbox-letters)."""
    path = Path(database)
    return LetterFiles(path.with_name(path.stem + "-letters"))


class LetterFiles:
    """The folder of one store's letters (created 0700 when the first letter is written)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, letter_id: str) -> Path:
        return self.folder / file_name(letter_id)

    def write(self, letter_id: str, data: bytes) -> None:
        """Store ``data`` durably under ``letter_id`` (replacing a leftover of a crash)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(self.path(letter_id), data, prefix=".", data_only=True)

    def read(self, letter_id: str) -> bytes | None:
        try:
            with open(self.path(letter_id), "rb") as letter:
                return letter.read()
        except FileNotFoundError:
            return None

    def delete(self, letter_id: str) -> None:
        self.path(letter_id).unlink(missing_ok=True)

    def sweep(self, kept_ids: list[str], now: float | None = None) -> list[str]:
        """Remove files no row names (or unfinished ones) older than SWEEP_AFTER; returns
        their names."""
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        kept = {file_name(letter_id) for letter_id in kept_ids}
        limit = (time.time() if now is None else now) - SWEEP_AFTER
        removed = []
        for entry in entries:
            if entry.name in kept or not entry.is_file(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_mtime < limit:
                Path(entry.path).unlink(missing_ok=True)
                removed.append(entry.name)
        return removed
