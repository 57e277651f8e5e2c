"""The outbox and inbox: rows in SQLite (an older database with 64 KiB pages keeps working),
each letter a file of its own beside them (0600, in a 0700 folder), letters stored as blobs
before still read and deleted; leftovers of a crash swept once old, ids from the endpoint
never naming a path elsewhere; the letter just queued is handed to the upload without reading
it back, and the copy on disk is the same bytes."""

from __future__ import annotations

import os
import sqlite3
import stat
import time

import pytest

from medsnap.messaging import letter_files
from medsnap.messaging.letter_store import open_letter_store
from medsnap.messaging.outbox import Outbox


def page_size(path) -> int:
    with sqlite3.connect(str(path)) as db:
        return db.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_store_has_small_pages_and_an_old_one_keeps_its_own(tmp_path):
    Outbox(tmp_path / "outbox.db").close()
    assert page_size(tmp_path / "outbox.db") == 4096  # rows only: letters are files
    old = sqlite3.connect(str(tmp_path / "old.db"))
    old.execute("PRAGMA page_size=65536")  # as stores were made while they held letters
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x)")
    old.close()
    db = open_letter_store(tmp_path / "old.db", "CREATE TABLE IF NOT EXISTS u (y);")
    db.execute("INSERT INTO u VALUES (1)")
    db.close()
    assert page_size(tmp_path / "old.db") == 65536


def test_the_letter_just_queued_is_the_one_on_disk(tmp_path):
    letter = bytes(range(256)) * 4000
    outbox = Outbox(tmp_path / "outbox.db")
    first = outbox.enqueue(["b"], letter, 2**40)
    second = outbox.enqueue(["c"], letter[::-1], 2**40)
    assert outbox.ciphertext(second) == letter[::-1]
    assert outbox.ciphertext(first) == letter  # an older one is read from disk
    outbox.mark_sent(second)
    assert outbox.ciphertext(second) == letter[::-1]
    outbox.close()
    reopened = Outbox(tmp_path / "outbox.db")
    assert reopened.ciphertext(second) == letter[::-1]
    reopened.close()


def test_a_queued_letter_is_a_file_of_its_own_and_the_database_holds_its_state(tmp_path):
    letter = bytes(range(256)) * 8000
    outbox = Outbox(tmp_path / "outbox.db")
    message_id = outbox.enqueue(["b"], letter, 2**40)
    folder = tmp_path / "outbox-letters"
    assert (folder / f"{message_id}.age").read_bytes() == letter
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"{message_id}.age").stat().st_mode) == 0o600
    outbox.mark_sent(message_id)
    outbox.close()
    on_disk = sum(path.stat().st_size for path in tmp_path.glob("outbox.db*"))
    assert on_disk < len(letter)  # rows only
    reopened = Outbox(tmp_path / "outbox.db")
    assert reopened.ciphertext(message_id) == letter
    assert reopened.get(message_id).state == "sent"
    assert reopened.delete_expired(now=2**41) == [message_id]
    assert list(folder.iterdir()) == []  # the row went, then its letter
    reopened.close()


def test_a_letter_stored_as_a_blob_before_is_read_and_deleted_as_before(tmp_path):
    Outbox(tmp_path / "outbox.db").close()
    old = sqlite3.connect(str(tmp_path / "outbox.db"))
    for message_id in ("old1", "old2"):
        old.execute("INSERT INTO outbox (id, recipients, size, state, next_attempt_at, "
                    "created_at, updated_at, expires_at) VALUES (?, '[\"b\"]', 3, 'queued', "
                    "0, 1, 1, ?)", (message_id, 2**40))
        old.execute("INSERT INTO outbox_ciphertext (id, data) VALUES (?, ?)",
                    (message_id, b"age" + message_id.encode()))
    old.commit()
    old.close()
    outbox = Outbox(tmp_path / "outbox.db")
    assert outbox.ciphertext("old1") == b"ageold1"
    outbox.cancel("old1")
    assert outbox.delete_expired(now=2**41) == ["old1", "old2"]  # the cancelled row too
    left = sqlite3.connect(str(tmp_path / "outbox.db"))
    assert left.execute("SELECT COUNT(*) FROM outbox_ciphertext").fetchone() == (0,)
    left.close()
    outbox.close()


def test_sweep_removes_only_old_files_no_row_names(tmp_path):
    files = letter_files.LetterFiles(tmp_path / "letters")
    for letter_id in ("kept", "orphan", "young"):
        files.write(letter_id, letter_id.encode())
    (tmp_path / "letters" / ".abc.part").write_bytes(b"half")  # a write cut short
    old = time.time() - letter_files.SWEEP_AFTER - 60
    for name in ("kept.age", "orphan.age", ".abc.part"):
        os.utime(tmp_path / "letters" / name, (old, old))
    assert sorted(files.sweep(["kept"])) == [".abc.part", "orphan.age"]
    assert sorted(p.name for p in (tmp_path / "letters").iterdir()) == ["kept.age", "young.age"]


@pytest.mark.parametrize("letter_id", ["../../escape", "a/b", "..", "x" * 200, "é"])
def test_an_id_from_the_endpoint_never_names_a_path_outside_the_folder(tmp_path, letter_id):
    files = letter_files.LetterFiles(tmp_path / "letters")
    files.write(letter_id, b"sealed")
    assert [p.parent for p in tmp_path.rglob("*.age")] == [tmp_path / "letters"]
    assert files.read(letter_id) == b"sealed"
    assert files.path(letter_id) != files.path(letter_id + "x")
