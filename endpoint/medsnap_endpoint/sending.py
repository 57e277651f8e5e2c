"""Storing a sent message: one ciphertext, one delivery row per recipient, all or nothing.

The body was already streamed to a bounded spool file (or read whole, when small); here it is
copied into the database in chunks inside a single transaction together with the delivery rows
and the audit event, so a killed process leaves either the whole message or no trace of it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from medsnap_endpoint import audit, directory
from medsnap_endpoint import protocol as p
from medsnap_endpoint.errors import BadRequest, Conflict, Unauthorized, Unprocessable
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Transaction


@dataclass(frozen=True)
class StoredMessage:
    message_id: str
    recipients: list[str]
    size: int
    sha256: str
    created_at: int
    expires_at: int
    duplicate: bool

    def as_json(self) -> dict:
        return {"message_id": self.message_id, "recipients": self.recipients,
                "size": self.size, "sha256": self.sha256, "stored_at": self.created_at,
                "expires_at": self.expires_at, "duplicate": self.duplicate}


def message_id_of(value: str) -> str:
    if not p.MESSAGE_ID_PATTERN.match(value):
        raise BadRequest("Give the message a message_id of 1-128 letters, digits or . _ : -")
    return value


def recipients_of(values: list[str], settings: Settings) -> list[str]:
    """The ``to`` query values, checked, in the order they are stored."""
    if not values:
        raise BadRequest("Name at least one recipient with ?to=STAFF_ID.")
    if len(values) > settings.max_recipients:
        raise BadRequest(f"A message may go to at most {settings.max_recipients} recipients.")
    if not all(p.STAFF_ID_PATTERN.match(r) for r in values):
        raise BadRequest("A recipient's staff id is malformed.")
    if len(set(values)) != len(values):
        raise BadRequest("A recipient is named twice.")
    return sorted(values)


def check_body(size: int, sha256: str, signed_sha256: str) -> None:
    if sha256 != signed_sha256:
        raise Unauthorized("The message body does not match its signed hash (damaged in "
                           "transit?); nothing was stored. Send it again.",
                           code="body_mismatch")
    if size == 0:
        raise BadRequest("The message is empty; nothing was stored.")


def refuse_unreachable(problems: dict[str, list[str]]) -> Unprocessable:
    parts = [f"{kind.replace('_', ' ')}: {', '.join(ids)}" for kind, ids in problems.items()]
    return Unprocessable("Some recipients cannot receive messages (" + "; ".join(parts) +
                         "). Nothing was sent to anyone. Check the names in the directory.",
                         code="recipients_unreachable", details=problems)


def _existing(tx: Transaction, sender: str, message_id: str, recipients: list[str], size: int,
              sha256: str) -> StoredMessage | None:
    row = tx.one("SELECT size, sha256, recipients, created_at, expires_at FROM messages "
                 "WHERE sender = ? AND client_message_id = ?", (sender, message_id))
    return None if row is None else earlier(row, message_id, recipients, size, sha256)


def earlier(row: tuple, message_id: str, recipients: list[str], size: int, sha256: str
            ) -> StoredMessage:
    """The message stored before under this id (its size, sha256, recipients, created_at and
    expires_at in ``row``), if it is this one: a retry, answered as a duplicate."""
    if int(row[0]) != size or row[1] != sha256 or json.loads(row[2]) != recipients:
        raise Conflict(f"Message id {message_id} was already used for a different message; "
                       "the earlier one is kept. Send this one with a new message id.",
                       code="message_id_reused")
    return StoredMessage(message_id, recipients, size, sha256, int(row[3]), int(row[4]), True)


def store(tx: Transaction, settings: Settings, *, sender: str, message_id: str,
          recipients: list[str], spool: BinaryIO | bytes, size: int, sha256: str
          ) -> StoredMessage:
    """Inside a durable write transaction: ``spool`` is the ciphertext (a spool file, or the
    bytes of a small one)."""
    now = int(time.time())
    expires = now + settings.retention_seconds
    # the common case first: a new message (a refusal below rolls the row back with the rest)
    row = tx.one("INSERT INTO messages (sender, client_message_id, size, sha256, recipients, "
                 "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (sender, client_message_id) DO NOTHING RETURNING id",
                 (sender, message_id, size, sha256, json.dumps(recipients), now, expires))
    if row is None:  # sent before (a retry), perhaps by a concurrent request that committed
        earlier = _existing(tx, sender, message_id, recipients, size, sha256)
        assert earlier is not None
        return earlier
    problems = directory.recipient_problems(tx, recipients)
    if problems:
        raise refuse_unreachable(problems)
    internal_id = int(row[0])
    for seq, chunk in enumerate(_chunks(spool, settings.chunk_bytes)):
        tx.execute("INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)",
                   (internal_id, seq, chunk))
    lock = audit.chain_lock(tx)  # taken by the last row's insert: no round trip of its own
    for n, recipient in enumerate(recipients, 1):
        tx.execute("INSERT INTO deliveries (message_id, recipient, status) "
                   "VALUES (?, ?, 'stored')" + (f" RETURNING {lock}" if lock and n == len(
                       recipients) else ""), (internal_id, recipient))
    audit.record(tx, actor=sender, action="send", subject=message_id,
                 detail={"to": recipients, "size": size, "sha256": sha256}, at=now,
                 locked=True)
    return StoredMessage(message_id, recipients, size, sha256, now, expires, False)


def _chunks(spool: BinaryIO | bytes, chunk_bytes: int) -> Iterator[bytes | memoryview]:
    if isinstance(spool, bytes):  # no copy: each chunk is a view of the body
        view = memoryview(spool)
        for start in range(0, len(spool), chunk_bytes):
            yield view[start:start + chunk_bytes]
        return
    spool.seek(0)
    while chunk := spool.read(chunk_bytes):
        yield chunk
