"""A letter its recipient never collected before the endpoint's retention ran out: the sender's
outbox says "expired", who did not collect it and what to do, through a real endpoint (it
stayed "sent", then vanished from Sent at its expiry); the row outlives its ciphertext."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from endpoint_harness import EndpointServer, with_hospital_ca
from messaging_support import LIMITS

from medsnap.messaging.compose import queue_letter
from medsnap.messaging.outbox import UNDELIVERED_KEPT_SECONDS, Outbox
from medsnap.messaging.sync import SyncWorker

RETENTION = 2  # seconds the endpoint keeps a letter nobody collected


@pytest.fixture(scope="module")
def short_retention():
    folder = Path(tempfile.mkdtemp(prefix="medsnap-retention-"))
    url = with_hospital_ca(f"sqlite:///{folder / 'endpoint.db'}", "Retention Test Root")
    server = EndpointServer(url, [*LIMITS, "--retention-seconds", str(RETENTION)]).start()
    yield server
    server.stop()


def test_a_letter_nobody_collected_says_not_delivered_with_who(short_retention, make_desk,
                                                                png_bytes):
    wren = make_desk().enrol(short_retention, "Wren Walker")
    xan = make_desk().enrol(short_retention, "Xan Xu")
    outbox = Outbox(wren.profile.outbox_path)
    try:
        message_id = queue_letter(wren, outbox, png_bytes(31), [xan.staff_id],
                                  declaration="direct-care")
        assert SyncWorker(wren, outbox).run_once().sent == [message_id]
        time.sleep(RETENTION + 1)
        short_retention.admin("sweep")  # Xan never signed in: the delivery expires
        report = SyncWorker(wren, outbox).run_once()
        assert report.undelivered == [message_id]
        item = outbox.get(message_id)
        assert item.state == "expired"
        assert item.reason.startswith("Xan Xu did not collect it before it expired")
        assert any(e["event"] == "not-delivered" and e["detail"]["to"] == [xan.staff_id]
                   for e in wren.audit.entries())

        # past the letter's own expiry the row stays (its ciphertext goes) for a week
        past = item.expires_at + 1
        assert outbox.delete_expired(now=past) == []
        assert outbox.get(message_id).state == "expired"
        assert not outbox._files.path(message_id).exists()  # nothing of it is sent again
        assert outbox.delete_expired(now=past + UNDELIVERED_KEPT_SECONDS) == [message_id]
    finally:
        outbox.close()
        wren.close()
        xan.close()


def test_a_letter_shorter_lived_than_the_endpoints_retention_is_not_delivered_either(
        endpoint, make_desk, png_bytes):
    """Its own expiry passed while the endpoint (14 days' retention) still keeps it: nobody
    can open it any more, so Sent says so instead of letting it vanish as "Sent"."""
    ada = make_desk().enrol(endpoint, "Ada Short")
    bo = make_desk().enrol(endpoint, "Bo Never")
    outbox = Outbox(ada.profile.outbox_path)
    try:
        ada.colleague(bo.staff_id)  # looked up to seal to: known by name here
        message_id = outbox.enqueue([bo.staff_id], b"sealed elsewhere", int(time.time()) + 2)
        assert SyncWorker(ada, outbox).run_once().sent == [message_id]
        time.sleep(3)
        assert SyncWorker(ada, outbox).run_once().undelivered == [message_id]
        item = outbox.get(message_id)
        assert item.state == "expired" and item.reason.startswith("Bo Never did not collect")
    finally:
        outbox.close()
        ada.close()
        bo.close()


def test_a_letter_delivered_to_all_goes_at_its_expiry(short_retention, make_desk, png_bytes):
    from medsnap.messaging.inbox import Inbox

    yan = make_desk().enrol(short_retention, "Yan Yates")
    zoe = make_desk().enrol(short_retention, "Zoe Zane")
    outbox, inbox = Outbox(yan.profile.outbox_path), Inbox(zoe)
    try:
        message_id = queue_letter(yan, outbox, png_bytes(32), [zoe.staff_id])
        SyncWorker(yan, outbox).run_once()
        SyncWorker(zoe, None, inbox).run_once()
        assert SyncWorker(yan, outbox).run_once().delivered == [message_id]
        assert outbox.delete_expired(now=outbox.get(message_id).expires_at + 1) == [message_id]
    finally:
        outbox.close()
        inbox.close()
        yan.close()
        zoe.close()
