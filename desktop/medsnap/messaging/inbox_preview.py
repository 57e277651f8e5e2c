"""The inbox list's preview of a letter (start of the note, priority), sealed to its reader.

A clinician scanning the inbox needs "Urgent — query fracture L wrist" before opening
anything, but the inbox keeps no plaintext. So when a letter is fetched and verified (the
keys are unlocked then) its preview is encrypted with age to the clinician's OWN X25519 key
and kept beside the ciphertext; the list decrypts it in memory while the window is unlocked.
The plaintext is padded to a fixed size first, so the file does not betray the note's length
or the priority. Letters stored before previews existed simply have none.

Table ``inbox_preview`` is created if missing (an additive migration: the inbox schema has no
version number) and goes with its letter (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import io
import json
import sqlite3
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from medsnap.crypto import age

PREVIEW_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox_preview (
    id TEXT PRIMARY KEY REFERENCES inbox (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
"""
PREVIEW_CHARS = 100  # the start of the note's first line; the list elides further
#: every preview encrypts this many bytes: 100 characters of 6 JSON bytes at most, and the keys
PADDED_BYTES = 640
PRIORITIES = ("normal", "urgent")  # permanent strings, as the send panel writes them


@dataclass(frozen=True)
class Preview:
    note: str  # "" when the letter has no note
    priority: str  # one of PRIORITIES

    @property
    def urgent(self) -> bool:
        return self.priority == "urgent"


def preview_of(note: str, annotations: object) -> Preview:
    """From an opened (verified) letter's note and signed annotation data."""
    first = next((line.strip() for line in note.splitlines() if line.strip()), "")
    first = " ".join(first.split())
    if len(first) > PREVIEW_CHARS:
        first = first[:PREVIEW_CHARS - 1].rstrip() + "…"
    priority = annotations.get("priority") if isinstance(annotations, dict) else None
    return Preview(first, priority if priority in PRIORITIES else "normal")


def seal_preview(preview: Preview, owner: X25519PublicKey) -> bytes:
    plain = json.dumps({"note": preview.note[:PREVIEW_CHARS], "priority": preview.priority},
                       ensure_ascii=False).encode("utf-8")
    if len(plain) > PADDED_BYTES:  # cannot happen for PREVIEW_CHARS; never leak a length
        raise ValueError("a preview longer than its padding")
    return age.encrypt(plain.ljust(PADDED_BYTES), [age.X25519Recipient(owner)])


def open_preview(data: bytes, key: X25519PrivateKey) -> Preview | None:
    """The preview, or None when it is damaged or sealed to someone else (shown as before)."""
    try:
        value = json.loads(age.decrypt(data, [age.X25519Identity(key)], armored=False))
        note, priority = value["note"], value["priority"]
    except (age.AgeError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(note, str) or priority not in PRIORITIES:
        return None
    return Preview(note, priority)


class PreviewTable:
    """The sealed previews in the inbox database (the caller owns the connection)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        db.executescript(PREVIEW_SCHEMA)

    def keep(self, item_id: str, preview: Preview, owner: X25519PublicKey) -> None:
        """Store it unless one is there already (a letter's preview never changes)."""
        self._db.execute("INSERT OR IGNORE INTO inbox_preview (id, data) VALUES (?, ?)",
                         (item_id, seal_preview(preview, owner)))

    def has(self, item_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM inbox_preview WHERE id = ?",
                                (item_id,)).fetchone() is not None

    def read(self, item_ids: list[str], key: X25519PrivateKey) -> dict[str, Preview]:
        """Decrypted previews of ``item_ids`` that have one (in memory only)."""
        wanted = set(item_ids)
        rows = [(item_id, bytes(data)) for item_id, data in
                self._db.execute("SELECT id, data FROM inbox_preview") if item_id in wanted]
        if hasattr(key, "exchange_many"):  # the key agent's: one request for the whole list
            from medsnap.messaging.agent_client import AgreedInAdvance

            key = AgreedInAdvance(key, [share for _, data in rows for share in _shares(data)])
        found = {}
        for item_id, data in rows:
            preview = open_preview(data, key)
            if preview is not None:
                found[item_id] = preview
        return found


def _shares(sealed: bytes) -> list[bytes]:
    """The X25519 shares in a sealed preview's header (none when it is damaged: opening it
    then says so)."""
    from medsnap.crypto.age import b64
    from medsnap.crypto.age.header import read_header
    from medsnap.crypto.age.x25519 import STANZA_TYPE

    try:
        stanzas = read_header(io.BytesIO(sealed)).stanzas
        return [b64.decode(stanza.args[0].encode("ascii"), "an X25519 share")
                for stanza in stanzas if stanza.type == STANZA_TYPE and len(stanza.args) == 1]
    except (age.AgeError, ValueError, UnicodeError):
        return []
