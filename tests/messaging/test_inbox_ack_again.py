"""An acknowledgement that never took (the network failed after the download, or the
endpoint lost it in a power cut: it commits acks without waiting for the disk) leaves the
item listed at the endpoint. The next fetch must neither download nor store it twice, and
must acknowledge it again, so the ciphertext leaves the endpoint (docs/PROTOCOL.md). The
acknowledgement is sent on a thread while the opening's outcome is kept."""

from __future__ import annotations

import threading
import time

import pytest

from medsnap.messaging.compose import queue_letter
from medsnap.messaging.errors import EndpointUnreachable
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sync import SyncWorker


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    sessions = [make_desk().enrol(endpoint, name) for name in ("Ivy Ingram", "Jack Jolly")]
    yield sessions
    for session in sessions:
        session.close()


def test_an_item_held_already_is_acknowledged_again_not_stored_twice(pair, png_bytes,
                                                                    monkeypatch):
    ivy, jack = pair
    outbox = Outbox(ivy.profile.outbox_path)
    try:
        queue_letter(ivy, outbox, png_bytes(7), [jack.staff_id])
        SyncWorker(ivy, outbox, None).run_once()
    finally:
        outbox.close()

    client = jack.transport.client
    inbox = Inbox(jack)
    try:
        real_ack, downloads = client.acknowledge, []
        real_download = client.download

        def counted_download(item_id):
            downloads.append(item_id)
            return real_download(item_id)

        def lost_ack(_item_id):  # the fault: the ack never reaches the endpoint
            raise EndpointUnreachable("connection reset")

        monkeypatch.setattr(client, "download", counted_download)
        monkeypatch.setattr(client, "acknowledge", lost_ack)
        with pytest.raises(EndpointUnreachable):
            inbox.fetch()
        assert [entry["id"] for entry in client.inbox()] == downloads  # still listed

        monkeypatch.setattr(client, "acknowledge", real_ack)
        inbox.fetch()
        assert len(downloads) == 1  # not downloaded again: it was stored before the ack
        assert client.inbox() == []  # acknowledged this time: gone from the endpoint
        assert len(inbox.items()) == 1
    finally:
        inbox.close()


def test_the_acknowledgement_goes_while_the_outcome_is_kept(pair, png_bytes, monkeypatch):
    # stored first (the file, then the row); then the endpoint is told on a thread of its own
    # while the replay record, the verdict and the audit line are written here
    ivy, jack = pair
    outbox = Outbox(ivy.profile.outbox_path)
    try:
        queue_letter(ivy, outbox, png_bytes(8), [jack.staff_id])
        SyncWorker(ivy, outbox, None).run_once()
    finally:
        outbox.close()
    client = jack.transport.client
    real_ack, seen = client.acknowledge, []

    def slow_ack(item_id):
        time.sleep(0.5)  # the keeping, meanwhile, is done
        events = [entry["event"] for entry in jack.audit.entries()]
        stored = Inbox(jack)
        try:
            seen.append((threading.current_thread().name, events[-1], stored.get(item_id).state))
        finally:
            stored.close()
        return real_ack(item_id)

    monkeypatch.setattr(client, "acknowledge", slow_ack)
    inbox = Inbox(jack)
    try:
        assert inbox.fetch() == (1, 0)
        assert seen == [("inbox-acknowledge", "received", "verified")]
        assert client.inbox() == []  # acknowledged: gone from the endpoint
        assert inbox._db.execute("SELECT COUNT(*) FROM inbox WHERE acknowledged = 0"
                                 ).fetchone() == (0,)
    finally:
        inbox.close()
