"""An acknowledgement is committed without waiting for the disk (docs/PROTOCOL.md,
Durability): a power cut can undo the last moments of acknowledgements, never a stored send.
What that leaves must be harmless: the message offered again under the same item id (which the
app's inbox already holds, and acknowledges again) and an audit chain that still verifies.

A power cut is modelled by its effect on SQLite's WAL: every commit after the last flush is
lost, as a whole and in order, so the database is what a consistent copy taken at the flush
holds (the send was flushed before its 201; the acknowledgement after it was not)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from endpoint_support import enrolment_factory


def _copy_database(source: Path, target: Path) -> None:
    live, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        live.backup(copy)  # a consistent copy of every commit so far
    finally:
        copy.close()
        live.close()


def test_an_acknowledgement_undone_offers_the_same_item_again_and_the_audit_verifies(
        start_server, tmp_path):
    running = start_server("sqlite")
    make = enrolment_factory(running)
    sender, recipient = make("Sender"), make("Recipient")
    body = os.urandom(30_000)
    assert sender.send("undone-ack", [recipient.staff_id], body)["duplicate"] is False
    [item] = recipient.inbox()
    path = Path(running.database_url.removeprefix("sqlite:///"))
    at_the_flush = tmp_path / "at-the-flush.db"
    _copy_database(path, at_the_flush)  # durable: the send; not yet: what follows

    assert recipient.download(item["id"]) == body
    assert recipient.acknowledge(item["id"])["status"] == "delivered"
    assert recipient.inbox() == []
    running.stop()
    for suffix in ("-wal", "-shm"):  # the power cut: the unflushed commits are gone
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(at_the_flush, path)
    running.start()

    again = recipient.inbox()
    assert [(entry["id"], entry["message_id"]) for entry in again] == [
        (item["id"], "undone-ack")]  # the same item id: an inbox that holds it skips it
    assert recipient.acknowledge(item["id"])["status"] == "delivered"
    assert recipient.inbox() == []
    assert running.admin("verify-audit").returncode == 0  # a lost suffix, never a hole
    sender.close()
    recipient.close()
