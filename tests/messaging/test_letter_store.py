"""The outbox and inbox databases: 64 KiB pages for new ones (a letter is 80 pages, not 1280),
an older 4 KiB database keeps working; the letter just queued is handed to the upload without
reading it back, and the copy on disk is the same bytes."""

from __future__ import annotations

import sqlite3

from medsnap.messaging.letter_store import open_letter_store
from medsnap.messaging.outbox import Outbox


def page_size(path) -> int:
    with sqlite3.connect(str(path)) as db:
        return db.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_store_has_64k_pages_and_an_old_one_keeps_its_own(tmp_path):
    Outbox(tmp_path / "outbox.db").close()
    assert page_size(tmp_path / "outbox.db") == 65536
    old = sqlite3.connect(str(tmp_path / "old.db"))
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE t (x)")
    old.close()
    db = open_letter_store(tmp_path / "old.db", "CREATE TABLE IF NOT EXISTS u (y);")
    db.execute("INSERT INTO u VALUES (1)")
    db.close()
    assert page_size(tmp_path / "old.db") == 4096


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


def test_a_stored_letter_is_copied_into_the_database_file_before_the_close(tmp_path):
    # the copy out of the write-ahead log runs on its own thread (during the upload); without
    # it the letter stays in outbox.db-wal until the close copies it, at the command's end
    letter = bytes(range(256)) * 8000
    outbox = Outbox(tmp_path / "outbox.db")
    empty = (tmp_path / "outbox.db").stat().st_size
    message_id = outbox.enqueue(["b"], letter, 2**40)
    outbox._checkpoint.wait()
    assert (tmp_path / "outbox.db").stat().st_size >= empty + len(letter)
    outbox.mark_sent(message_id)  # written to the log as usual
    outbox.close()
    assert not (tmp_path / "outbox.db-wal").exists()  # the close copied the rest
    reopened = Outbox(tmp_path / "outbox.db")
    assert reopened.ciphertext(message_id) == letter
    assert reopened.get(message_id).state == "sent"
    reopened.close()
