"""`send_letter` stores the letter in the outbox while it uploads (Outbox.enqueue_while), through
the real endpoint: the endpoint holds nothing until the outbox commit is done, a commit that
fails leaves the letter neither queued nor at the endpoint, the audit log still reads queued
then sent, and older queued letters go first. (A process killed mid-upload or after it:
test_messaging_robustness, through the command.)"""

from __future__ import annotations

import random
import sqlite3
import time

import pytest
from messaging_support import endpoint_copies
from PIL import Image

from medsnap.imaging import encode_clean
from medsnap.messaging import outbox as outbox_module
from medsnap.messaging.compose import queue_letter, send_letter
from medsnap.messaging.outbox import Outbox


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    sessions = [make_desk().enrol(endpoint, name) for name in ("Gail Grey", "Hugh Hart")]
    yield sessions
    for session in sessions:
        session.close()


def big_picture(seed: int) -> bytes:
    """About 1.2 MB of noise: the upload is several blocks, most sent before the commit ends."""
    pixels = Image.frombytes("RGB", (640, 640), random.Random(seed).randbytes(640 * 640 * 3))
    return encode_clean(pixels, "png")


def test_the_endpoint_holds_nothing_until_the_outbox_commit_is_done(endpoint, pair,
                                                                     monkeypatch):
    gail, hugh = pair
    before = endpoint_copies(endpoint, gail.staff_id)
    seen_during_commit = []
    real_insert = outbox_module._insert

    def slow_insert(db, *args):
        time.sleep(0.5)  # the upload meanwhile sends all it may
        seen_during_commit.append(endpoint_copies(endpoint, gail.staff_id))
        real_insert(db, *args)

    monkeypatch.setattr(outbox_module, "_insert", slow_insert)
    outbox = Outbox(gail.profile.outbox_path)
    try:
        message_id, report = send_letter(gail, outbox, big_picture(1), [hugh.staff_id],
                                         verified=True)
        assert report.sent == [message_id] and not report.offline
        assert outbox.get(message_id).state == "sent"
    finally:
        outbox.close()
    assert seen_during_commit == [before]
    assert endpoint_copies(endpoint, gail.staff_id) == before + 1
    events = [e["event"] for e in gail.audit.entries() if e["detail"].get("id") == message_id]
    assert events == ["queued", "sent"]


def test_a_failed_commit_leaves_the_letter_neither_queued_nor_sent(endpoint, pair,
                                                                   monkeypatch):
    gail, hugh = pair
    before = endpoint_copies(endpoint, gail.staff_id)

    def disk_failed(*_args):  # fault injection: the disk refuses the write
        time.sleep(0.2)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(outbox_module, "_insert", disk_failed)
    outbox = Outbox(gail.profile.outbox_path)
    try:
        with pytest.raises(sqlite3.OperationalError):
            send_letter(gail, outbox, big_picture(2), [hugh.staff_id], verified=True)
        assert outbox.items(("queued", "sent")) == outbox.items(("sent",))  # nothing queued
    finally:
        outbox.close()
    time.sleep(0.2)  # the endpoint saw the connection drop mid-body
    assert endpoint_copies(endpoint, gail.staff_id) == before


def test_older_queued_letters_go_first(endpoint, pair, png_bytes):
    gail, hugh = pair
    outbox = Outbox(gail.profile.outbox_path)
    try:
        older = queue_letter(gail, outbox, png_bytes(41), [hugh.staff_id])
        newer, report = send_letter(gail, outbox, png_bytes(42), [hugh.staff_id],
                                    verified=False)
        assert report.sent == [older, newer]
        assert {outbox.get(m).state for m in (older, newer)} == {"sent"}
    finally:
        outbox.close()
