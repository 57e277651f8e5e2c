"""An acknowledgement that never took (the network failed after the download, or the
endpoint lost it in a power cut: it commits acks without waiting for the disk) leaves the
item listed at the endpoint. The next fetch must neither download nor store it twice, and
must acknowledge it again, so the ciphertext leaves the endpoint (docs/PROTOCOL.md)."""

from __future__ import annotations

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
