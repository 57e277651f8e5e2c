"""The durable outbox: sealed letters (ciphertext only) waiting to be sent, and their fate.

States (permanent strings): ``queued`` -> ``sent`` (the endpoint confirmed it stored the
message) -> ``delivered`` (every recipient's device acknowledged) -> ``read``; or ``failed``
with the endpoint's reason (retry puts it back to queued), or ``cancelled`` before sending;
or, once sent, ``refused``: a recipient's MedSnap stored it but could not open it (its
refusal receipt; the reason says who and why: refusal_receipts), or ``expired``: a recipient
never collected it before it expired. A letter still waiting for a recipient when it expires
keeps its row (not its ciphertext) for UNDELIVERED_KEPT_SECONDS, so that Sent can say so.

Exactly once: each message has a random id chosen when it is queued, and the endpoint stores
one message per (sender, id). A message is marked sent only after the endpoint's answer; a
crash or kill before that leaves it queued, and the next attempt sends the same id with the
same bytes, which the endpoint answers as a duplicate without storing it twice.

Each letter's ciphertext is a file of its own (letter_files), on disk before the row that
queues it is committed; the rows hold its state.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from medsnap.messaging.errors import NoSuchMessage
from medsnap.messaging.letter_files import LetterFiles, beside
from medsnap.messaging.letter_store import open_letter_store

STATES = ("queued", "sent", "delivered", "read", "failed", "cancelled", "refused", "expired")
#: past its expiry, a letter not delivered to everyone stays listed this long (the endpoint
#: reports such deliveries "expired"; the sender must learn it, not see the letter vanish)
UNDELIVERED_KEPT_SECONDS = 7 * 86400
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    recipients TEXT NOT NULL,
    size INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER,
    expires_at INTEGER NOT NULL
);
-- letters queued before they were kept as files (letter_files): read, and deleted, as before
CREATE TABLE IF NOT EXISTS outbox_ciphertext (
    id TEXT PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxItem:
    id: str
    recipients: list[str]
    size: int
    state: str
    reason: str
    attempts: int
    next_attempt_at: float
    created_at: int
    updated_at: int
    sent_at: int | None
    expires_at: int

    def as_json(self) -> dict:
        return {"id": self.id, "to": self.recipients, "size": self.size, "state": self.state,
                "reason": self.reason, "attempts": self.attempts,
                "created_at": self.created_at, "sent_at": self.sent_at,
                "expires_at": self.expires_at}


_COLUMNS = ("id, recipients, size, state, reason, attempts, next_attempt_at, created_at, "
            "updated_at, sent_at, expires_at")


def _item(row: tuple) -> OutboxItem:
    return OutboxItem(row[0], json.loads(row[1]), *row[2:])


def _insert(db, files: LetterFiles, recipients: list[str], ciphertext: bytes,
            expires_at: int, message_id: str) -> None:
    """The letter's file on disk first, then the row that makes it queued (fsynced)."""
    if db.execute("SELECT 1 FROM outbox WHERE id = ?", (message_id,)).fetchone():
        raise sqlite3.IntegrityError(f"message {message_id} is queued already")  # file kept
    files.write(message_id, ciphertext)
    now = int(time.time())
    db.execute(
        "INSERT INTO outbox (id, recipients, size, state, next_attempt_at, created_at, "
        "updated_at, expires_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)",
        (message_id, json.dumps(sorted(recipients)), len(ciphertext), 0.0, now, now,
         expires_at))


class Outbox:
    def __init__(self, path: Path | str):
        self._path = path
        self._db = open_letter_store(path, _SCHEMA)  # a queued message survives power loss
        self._files = beside(path)
        self._files.sweep([row[0] for row in self._db.execute("SELECT id FROM outbox")])
        # the letter queued last by this object, handed to ``ciphertext`` without reading
        # 5 MB back from disk (one slot: a long-lived outbox holds no queue in memory)
        self._just_queued: tuple[str, bytes] | None = None

    def close(self) -> None:
        self._db.close()

    def enqueue(self, recipients: list[str], ciphertext: bytes, expires_at: int,
                message_id: str | None = None) -> str:
        message_id = message_id or secrets.token_hex(16)
        _insert(self._db, self._files, recipients, ciphertext, expires_at, message_id)
        self._just_queued = (message_id, ciphertext)
        return message_id

    def enqueue_while(self, recipients: list[str], ciphertext: bytes, expires_at: int,
                      message_id: str, work: Callable[[Callable[[], None]], T]) -> T:
        """``enqueue``, committed (fsynced) on a thread of its own, with its own connection,
        while ``work(stored)`` runs on this one. ``stored()`` returns once the letter is on
        disk and raises what stopped it: an upload calls it before sending its last bytes
        (``Transport.upload(before_end=...)``), so the endpoint can never hold a letter this
        outbox could lose. Returns what ``work`` returned, once the letter is on disk; a
        failed commit is raised, whatever the work did."""
        committed = threading.Event()
        failure: list[BaseException] = []

        def commit() -> None:
            try:
                db = open_letter_store(self._path, _SCHEMA)
                try:
                    _insert(db, self._files, recipients, ciphertext, expires_at, message_id)
                finally:
                    db.close()
            except BaseException as error:  # raised on this thread, by stored() or below
                failure.append(error)
            finally:
                committed.set()

        def stored() -> None:
            committed.wait()
            if failure:
                raise failure[0]

        thread = threading.Thread(target=commit, daemon=True, name="outbox-store")
        thread.start()
        try:
            result = work(stored)
        finally:
            thread.join()
            if failure:
                raise failure[0]  # the letter is not queued: that is what to report
        self._just_queued = (message_id, ciphertext)
        return result

    def get(self, message_id: str) -> OutboxItem:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?",
                               (message_id,)).fetchone()
        if row is None:
            raise NoSuchMessage(f"There is no message {message_id} in your outbox.")
        return _item(row)

    def ciphertext(self, message_id: str) -> bytes:
        if self._just_queued and self._just_queued[0] == message_id:
            return self._just_queued[1]
        data = self._files.read(message_id)
        if data is not None:
            return data
        row = self._db.execute("SELECT data FROM outbox_ciphertext WHERE id = ?",
                               (message_id,)).fetchone()
        if row is None:
            raise NoSuchMessage(f"Message {message_id} has no stored copy any more.")
        return bytes(row[0])

    def items(self, states: tuple[str, ...] = STATES) -> list[OutboxItem]:
        marks = ",".join("?" * len(states))
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) "
                                "ORDER BY created_at, rowid", states).fetchall()
        return [_item(row) for row in rows]

    def due(self, now: float | None = None) -> list[OutboxItem]:
        now = time.time() if now is None else now
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = 'queued' AND "
                                "next_attempt_at <= ? ORDER BY created_at, rowid",  # queue order
                                (now,)).fetchall()
        return [_item(row) for row in rows]

    def _set(self, message_id: str, sql: str, values: tuple, *, only_from: tuple[str, ...]) -> bool:
        marks = ",".join("?" * len(only_from))
        changed = self._db.execute(
            f"UPDATE outbox SET {sql}, updated_at = ? WHERE id = ? AND state IN ({marks})",
            (*values, int(time.time()), message_id, *only_from)).rowcount
        return changed == 1

    def mark_sent(self, message_id: str) -> None:
        if self._just_queued and self._just_queued[0] == message_id:
            self._just_queued = None  # sent: not read again
        self._set(message_id, "state = 'sent', reason = '', sent_at = ?", (int(time.time()),),
                  only_from=("queued",))

    def postpone(self, message_id: str, reason: str, delay: float) -> None:
        self._set(message_id, "attempts = attempts + 1, reason = ?, next_attempt_at = ?",
                  (reason, time.time() + delay), only_from=("queued",))

    def mark_failed(self, message_id: str, reason: str) -> None:
        self._set(message_id, "state = 'failed', reason = ?", (reason,), only_from=("queued",))

    def mark_delivery(self, message_id: str, state: str) -> bool:
        """delivered/read as reported by the endpoint (never backwards)."""
        allowed = {"delivered": ("sent",), "read": ("sent", "delivered")}[state]
        return self._set(message_id, "state = ?", (state,), only_from=allowed)

    def mark_refused(self, message_id: str, reason: str) -> bool:
        """A recipient refused it (their refusal receipt): final, whatever others did (also
        after another was found not to have collected it: the reason then names both)."""
        return self._set(message_id, "state = 'refused', reason = ?", (reason,),
                         only_from=("sent", "delivered", "expired"))

    def mark_undelivered(self, message_id: str, reason: str) -> bool:
        """A recipient never collected it before it expired (the endpoint's "expired")."""
        return self._set(message_id, "state = 'expired', reason = ?", (reason,),
                         only_from=("sent",))

    def retry(self, message_id: str) -> None:
        self.get(message_id)
        if not self._set(message_id, "state = 'queued', attempts = 0, next_attempt_at = 0, "
                         "reason = ''", (), only_from=("failed", "queued")):
            raise NoSuchMessage(f"Message {message_id} was already sent; there is nothing to "
                                "retry.")

    def cancel(self, message_id: str) -> None:
        """Stop a message that has not been sent; its ciphertext is deleted."""
        self.get(message_id)
        if not self._set(message_id, "state = 'cancelled'", (),
                         only_from=("queued", "failed")):
            raise NoSuchMessage(f"Message {message_id} was already sent and cannot be "
                                "cancelled.")
        self._db.execute("DELETE FROM outbox_ciphertext WHERE id = ?", (message_id,))
        self._files.delete(message_id)
        if self._just_queued and self._just_queued[0] == message_id:
            self._just_queued = None

    def delete_expired(self, now: int | None = None) -> list[str]:
        """Delete letters past their expiry (ids returned); one not delivered to everyone
        loses only its ciphertext until UNDELIVERED_KEPT_SECONDS later."""
        now = int(time.time()) if now is None else now
        kept_until = now - UNDELIVERED_KEPT_SECONDS
        gone = "expires_at < ? AND (state NOT IN ('sent', 'refused', 'expired') OR expires_at < ?)"
        deleted = [row[0] for row in self._db.execute(f"SELECT id FROM outbox WHERE {gone}",
                                                      (now, kept_until))]
        self._db.execute(f"DELETE FROM outbox WHERE {gone}", (now, kept_until))
        lingering = [row[0] for row in self._db.execute(
            "SELECT id FROM outbox WHERE expires_at < ?", (now,))]
        self._db.execute("DELETE FROM outbox_ciphertext WHERE id IN (SELECT id FROM outbox "
                         "WHERE expires_at < ?)", (now,))
        for message_id in deleted + lingering:  # nothing of theirs is ever sent again
            self._files.delete(message_id)
        if self._just_queued and self._just_queued[0] in deleted:
            self._just_queued = None
        return deleted
