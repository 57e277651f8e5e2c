"""The Sent list's notes (NU4): kept only sealed to the sender's own key, padded so the file
tells neither the priority nor the note's length, gone with their message, and a note sealed
to someone else or damaged is simply not shown."""

from __future__ import annotations

import sqlite3
import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sent_notes import (BLOCK, SentItem, SentNote, keep_note, open_note, seal_note,
                                   with_notes)


def _queued(outbox: Outbox, expires_at: int) -> str:
    return outbox.enqueue(["colleague1"], b"age ciphertext stand-in", expires_at)


def test_notes_round_trip_sealed_and_go_with_their_message(tmp_path):
    key = X25519PrivateKey.generate()
    path = tmp_path / "outbox.db"
    outbox = Outbox(path)
    try:
        now = int(time.time())
        kept, old = _queued(outbox, now + 3600), _queued(outbox, now - 10)
        urgent = SentNote("left wrist\n\n  lateral   view  ", "urgent", "direct-care")
        assert keep_note(path, kept, urgent, key.public_key())
        assert keep_note(path, old, SentNote("old one", "normal", "direct-care"),
                         key.public_key())
        items = with_notes(outbox.items(), path, key)
        assert all(isinstance(item, SentItem) for item in items)
        notes = {item.id: item.sent_note for item in items}
        assert notes[kept] == urgent and notes[kept].urgent
        assert notes[kept].first_words == "left wrist"
        assert b"wrist" not in path.read_bytes()  # sealed, never plaintext (WAL too)
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or b"wrist" not in wal.read_bytes()

        assert outbox.delete_expired() == [old]  # the note goes with its message
        database = sqlite3.connect(path)
        assert [r[0] for r in database.execute("SELECT id FROM sent_note")] == [kept]
        database.close()

        other = X25519PrivateKey.generate()  # another clinician's key opens nothing
        assert [item.sent_note for item in with_notes(outbox.items(), path, other)] == [None]
    finally:
        outbox.close()


def test_a_sealed_note_tells_neither_priority_nor_length():
    owner = X25519PrivateKey.generate()
    sizes = {len(seal_note(SentNote(note, priority, "direct-care"), owner.public_key()))
             for note in ("", "ok", "bed 4: " + "x" * 400) for priority in ("normal", "urgent")}
    assert len(sizes) == 1
    long = seal_note(SentNote("y" * BLOCK * 2, "normal", "direct-care"), owner.public_key())
    assert len(long) > sizes.pop()  # a long note takes whole further blocks
    assert open_note(b"not an age file", owner) is None
