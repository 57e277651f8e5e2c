"""The inbox list's preview (start of the note, priority): sealed to the reader's own key at
fetch time, readable only while unlocked, never plaintext on disk; older inboxes migrate."""

from __future__ import annotations

import sqlite3

import pytest
from messaging_support import PASSPHRASE, markers_of, scan_for_plaintext

from medsnap.messaging.compose import queue_letter
from medsnap.messaging.errors import NotSignedIn
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.inbox_preview import (PADDED_BYTES, PREVIEW_CHARS, Preview, open_preview,
                                             preview_of, seal_preview)
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.session import sign_in
from medsnap.messaging.sync import SyncWorker

NOTE = "\n  query fracture L wrist  \nfell on outstretched hand at 14:10, snuffbox tender"


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    people = []
    for name in ("Petra Preview", "Rafe Reader"):
        desk = make_desk()
        session = desk.enrol(endpoint, name)
        people.append((desk, session.staff_id))
        session.close()
    return people


def _session(desk, staff_id):
    return sign_in(desk.workstation, staff_id, PASSPHRASE, keystore=desk.keystore)


def _send(pair, image: bytes, note: str, priority: str | None) -> None:
    (desk, staff_id), (_reader_desk, reader) = pair
    sender = _session(desk, staff_id)
    outbox = Outbox(sender.profile.outbox_path)
    try:
        annotations = {"priority": priority} if priority else None
        queue_letter(sender, outbox, image, [reader], note=note, declaration="direct-care",
                     annotations=annotations)
        assert SyncWorker(sender, outbox).run_once().sent
    finally:
        outbox.close()
        sender.close()


def _fetch(session) -> Inbox:
    inbox = Inbox(session)
    assert inbox.fetch() == (1, 0)
    return inbox


def test_urgent_preview_is_in_the_list_before_opening_and_only_sealed_on_disk(pair, png_bytes):
    reader_desk, reader_id = pair[1]
    image = png_bytes(71)
    _send(pair, image, NOTE, "urgent")
    reader = _session(reader_desk, reader_id)
    inbox = _fetch(reader)
    try:
        [item] = [i for i in inbox.items() if i.state == "verified"]
        assert item.preview is None  # the plain listing decrypts nothing
        [shown] = [i for i in inbox.with_previews(inbox.items()) if i.id == item.id]
        assert shown.preview == Preview("query fracture L wrist", "urgent")
        assert shown.preview.urgent and shown.state == "verified"  # not opened to know it

        # on disk: a sealed age file of the fixed size, and nothing of the note or image
        data = sqlite3.connect(reader.profile.inbox_path).execute(
            "SELECT data FROM inbox_preview WHERE id = ?", (item.id,)).fetchone()[0]
        assert bytes(data).startswith(b"age-encryption.org/v1\n-> X25519 ")
        markers = [*markers_of(image), b"fracture L wrist", b"snuffbox", b"urgent"]
        assert scan_for_plaintext([reader.profile.folder], markers) == []
        assert scan_for_plaintext([reader.profile.folder], [bytes(data)[-32:]])  # control

        reader.lock()  # locked: the keys that open the previews are gone
        with pytest.raises(NotSignedIn):
            inbox.with_previews(inbox.items())
    finally:
        inbox.close()
        reader.close()


def test_a_normal_letter_without_a_note_has_an_empty_normal_preview(pair, png_bytes):
    reader_desk, reader_id = pair[1]
    _send(pair, png_bytes(72), "", None)
    reader = _session(reader_desk, reader_id)
    inbox = _fetch(reader)
    try:
        newest = max(inbox.items(), key=lambda i: (i.received_at, i.id))
        [shown] = [i for i in inbox.with_previews([newest])]
        assert shown.preview == Preview("", "normal") and not shown.preview.urgent
    finally:
        inbox.close()
        reader.close()


def test_an_inbox_from_before_previews_migrates_and_opening_fills_the_preview(pair, png_bytes):
    reader_desk, reader_id = pair[1]
    _send(pair, png_bytes(73), "old style: bed 9 chest film", "urgent")
    reader = _session(reader_desk, reader_id)
    inbox = _fetch(reader)
    newest = max(inbox.items(), key=lambda i: (i.received_at, i.id))
    inbox.close()
    old = sqlite3.connect(reader.profile.inbox_path)  # the schema as it was before previews
    old.execute("DROP TABLE inbox_preview")
    old.commit()
    old.close()
    inbox = Inbox(reader)  # creates the table again, empty
    try:
        [before] = inbox.with_previews([inbox.get(newest.id)])
        assert before.preview is None and before.state == "verified"  # shown as before
        letter = inbox.open(newest.id)
        assert letter.note == "old style: bed 9 chest film"
        [after] = inbox.with_previews([inbox.get(newest.id)])
        assert after.preview == Preview("old style: bed 9 chest film", "urgent")
        assert inbox.delete_expired(now=2**40) and inbox.items() == []
        rows = sqlite3.connect(reader.profile.inbox_path).execute(
            "SELECT COUNT(*) FROM inbox_preview").fetchone()
        assert rows == (0,)  # previews go with their letters
    finally:
        inbox.close()
        reader.close()


def test_preview_of_takes_the_first_line_and_only_known_priorities():
    assert preview_of(NOTE, {"priority": "urgent"}) == Preview("query fracture L wrist", "urgent")
    assert preview_of("a  b\tc", {"priority": "STAT!"}) == Preview("a b c", "normal")
    assert preview_of("x", None).priority == preview_of("x", ["urgent"]).priority == "normal"
    long = preview_of("é" * 500, {})
    assert len(long.note) == PREVIEW_CHARS and long.note.endswith("…")


def test_sealed_previews_hide_their_length_and_open_only_with_the_owners_key():
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    mine, theirs = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    short = seal_preview(Preview("", "normal"), mine.public_key())
    for widest in ("€", "😀", "\x01"):  # 3 and 4 UTF-8 bytes, a 6-byte JSON escape
        longest = seal_preview(preview_of(widest * 500, {"priority": "urgent"}),
                               mine.public_key())
        assert len(short) == len(longest) and len(longest) > PADDED_BYTES
    assert open_preview(longest, mine).urgent
    assert open_preview(longest, theirs) is None  # someone else's key: shown as no preview
    assert open_preview(longest[:-1], mine) is None  # damaged
