"""One letter damaged where the endpoint keeps it (a bit flipped in its stored body) must not
hold up the inbox. NU5: the client took the mismatch for a failing endpoint ("busy or failing
(502 …)"), went "Offline", retried it for ever, and the urgent letter sent after it never came.
Now: kept as refused naming its sender, never acknowledged, and the rest arrives."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from messaging_support import start_endpoint

from medsnap.messaging.compose import queue_letter
from medsnap.messaging.errors import RefusedLetter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sync import SyncWorker
from medsnap_endpoint.storage import open_database


@pytest.fixture(scope="module")
def ward(make_desk):
    server = start_endpoint(Path(tempfile.mkdtemp(prefix="medsnap-msg-damaged-")))
    sender, reader = (make_desk().enrol(server, name) for name in ("Dina Damage",
                                                                   "Rory Reader"))
    yield server, sender, reader
    for session in (sender, reader):
        session.close()
    server.stop()


def _flip_a_stored_bit(server, sender_staff_id: str, client_message_id: str) -> None:
    database = open_database(server.database_url)
    try:
        with database.transaction() as tx:
            row_id, = tx.one("SELECT id FROM messages WHERE sender = ? AND client_message_id = ?",
                             (sender_staff_id, client_message_id))
            seq, data = tx.one("SELECT seq, data FROM message_chunks WHERE message_id = ? "
                               "ORDER BY seq LIMIT 1", (row_id,))
            damaged = bytearray(data)
            damaged[len(damaged) // 2] ^= 0x10
            tx.execute("UPDATE message_chunks SET data = ? WHERE message_id = ? AND seq = ?",
                       (bytes(damaged), row_id, seq))
    finally:
        database.close()


def test_a_damaged_letter_is_refused_by_name_and_the_next_one_arrives(ward, png_bytes):
    server, sender, reader = ward
    outbox = Outbox(sender.profile.outbox_path)
    inbox = Inbox(reader)
    try:
        damaged = queue_letter(sender, outbox, png_bytes(50), [reader.staff_id], note="first")
        SyncWorker(sender, outbox).run_once()
        _flip_a_stored_bit(server, sender.staff_id, damaged)
        urgent = queue_letter(sender, outbox, png_bytes(51), [reader.staff_id], note="urgent",
                              annotations={"priority": "urgent"})
        SyncWorker(sender, outbox).run_once()

        for _ in range(2):  # a second sync neither re-downloads nor acknowledges it
            report = SyncWorker(reader, None, inbox).run_once()
            assert not report.offline, report.offline
        states = sorted(item.state for item in inbox.items())
        assert states == ["refused", "verified"]
        [refused] = inbox.items(states=("refused",))
        assert sender.staff_id in refused.verdict["reason"]
        assert "send it again" in refused.verdict["reason"]
        with pytest.raises(RefusedLetter) as opening:  # `medsnap open`: exit 6, a letter
            inbox.read(refused.id)                     # problem, not 7 (signing in)
        assert opening.value.exit_code == 6
        assert any(entry["event"] == "refused" and entry["detail"].get("reason") == "DamagedAtEndpoint"
                   for entry in reader.audit.entries())

        SyncWorker(sender, outbox).run_once()  # the sender is not told it was delivered
        assert outbox.get(damaged).state == "sent"
        assert outbox.get(urgent).state in ("delivered", "read")
    finally:
        outbox.close()
        inbox.close()
