"""What the sender wrote, so the Sent list can tell three messages to one colleague apart.

The outbox holds only ciphertext sealed to the recipient: the sender cannot read it back.
So when a letter is queued, its note, priority and declaration are sealed with age to the
sender's OWN X25519 key and kept beside it in the outbox database (table ``sent_note``,
gone with its message: ``ON DELETE CASCADE``), as the inbox keeps its previews. The plaintext
is padded to whole blocks, so a stored note betrays neither its priority nor its exact length.
The list decrypts them in memory while the window is unlocked. No Qt here.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from medsnap.crypto import age
from medsnap.messaging.letter_store import open_letter_store
from medsnap.messaging.outbox import OutboxItem

SENT_NOTE_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_note (
    id TEXT PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
"""
BLOCK = 1024  # every sealed note is a whole number of these (most notes fit in one)


@dataclass(frozen=True)
class SentNote:
    note: str
    priority: str  # "normal" or "urgent", as the send panel writes them
    declaration: str  # the send panel's permanent id, e.g. "direct-care"

    @property
    def urgent(self) -> bool:
        return self.priority == "urgent"

    @property
    def first_words(self) -> str:
        """The note's first non-empty line, spaces squeezed (the row shows its start)."""
        first = next((line.strip() for line in self.note.splitlines() if line.strip()), "")
        return " ".join(first.split())


@dataclass(frozen=True)
class SentItem(OutboxItem):
    """An outbox item and, when it was kept, what its sender wrote (in memory only)."""

    sent_note: SentNote | None = None


def seal_note(note: SentNote, owner: X25519PublicKey) -> bytes:
    plain = json.dumps({"note": note.note, "priority": note.priority,
                        "declaration": note.declaration}, ensure_ascii=False).encode("utf-8")
    padded = plain.ljust(-(-len(plain) // BLOCK) * BLOCK)  # JSON ignores trailing spaces
    return age.encrypt(padded, [age.X25519Recipient(owner)])


def open_note(data: bytes, key: X25519PrivateKey) -> SentNote | None:
    """The note, or None when it is damaged or sealed to someone else (the row goes without)."""
    try:
        value = json.loads(age.decrypt(data, [age.X25519Identity(key)], armored=False))
        note = SentNote(value["note"], value["priority"], value["declaration"])
    except (age.AgeError, ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(part, str) for part in (note.note, note.priority, note.declaration)):
        return None
    return note


def keep_note(outbox_path: Path, message_id: str, note: SentNote,
              owner: X25519PublicKey) -> bool:
    """Store it beside its queued message; False when that failed (the message is queued all
    the same, and the Sent list shows it without its note)."""
    try:
        db = open_letter_store(outbox_path, SENT_NOTE_SCHEMA)
        # commits not fsynced (a note lost in a power cut only leaves its Sent row bare), but
        # checkpoints still are: OFF would let one copy the outbox's letters unsynced
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("INSERT OR IGNORE INTO sent_note (id, data) VALUES (?, ?)",
                       (message_id, seal_note(note, owner)))
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return True


def keep_for_sender(session, message_id: str, note: str, priority: str,
                    declaration: str, own_key: X25519PublicKey | None = None) -> bool:
    """``keep_note`` for the signed-in sender: sealed to their own key, beside their outbox
    (the window's send and ``medsnap send`` both keep it so). ``own_key``: their public key,
    taken before sealing, so a lock meanwhile does not lose the note."""
    if own_key is None:
        own_key = session.clinician.encryption_key.public_key()
    return keep_note(session.profile.outbox_path, message_id,
                     SentNote(note, priority, declaration), own_key)


def with_notes(items: list[OutboxItem], outbox_path: Path,
               key: X25519PrivateKey) -> list[SentItem]:
    """``items`` with their senders' notes decrypted in memory (needs the unlocked key)."""
    found: dict[str, SentNote] = {}
    try:
        db = open_letter_store(outbox_path, SENT_NOTE_SCHEMA)
        try:
            rows = db.execute("SELECT id, data FROM sent_note").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        rows = []
    wanted = {item.id for item in items}
    for message_id, data in rows:
        if message_id in wanted:
            note = open_note(bytes(data), key)
            if note is not None:
                found[message_id] = note
    return [SentItem(**{f.name: getattr(item, f.name) for f in fields(OutboxItem)},
                     sent_note=found.get(item.id)) for item in items]
