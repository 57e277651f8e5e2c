"""A downloaded letter is opened while it is stored (inbox_arrival), through the real endpoint:
a store that fails leaves it unacknowledged at the endpoint and not recorded as seen, so the
next fetch accepts it (not as a repeat); the same letter delivered twice in one fetch is
refused as a repeat the second time."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from medsnap.crypto.letter import seal
from medsnap.crypto.letter_model import Letter
from medsnap.crypto.replay import ReplayStore
from medsnap.messaging import inbox as inbox_module
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.sync import SyncWorker


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    sessions = [make_desk().enrol(endpoint, name) for name in ("Erin Eddy", "Finn Ford")]
    yield sessions
    for session in sessions:
        session.close()


def _sealed(sender, reader, image: bytes) -> tuple[bytes, str]:
    message_id = uuid.uuid4().hex
    data = seal(Letter(image=image, media_type="image/png", note="n"), sender.clinician,
                [sender.colleague(reader.staff_id)], root=sender.root, message_id=message_id)
    return data, message_id


def _seen(reader, message_id: str) -> bool:
    replay = ReplayStore(reader.profile.replay_path)
    try:
        return message_id in replay
    finally:
        replay.close()


def test_a_failed_store_is_not_acknowledged_nor_recorded_and_the_next_fetch_accepts(
        pair, png_bytes, monkeypatch):
    erin, finn = pair
    data, message_id = _sealed(erin, finn, png_bytes(31))
    erin.transport.client.send(uuid.uuid4().hex, [finn.staff_id], data)

    def disk_failed(*_args):  # fault injection: the disk refuses the write
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(inbox_module, "store_letter", disk_failed)
    inbox = Inbox(finn)
    try:
        with pytest.raises(sqlite3.OperationalError):
            inbox.fetch(finn.crl(refresh=True))  # opened meanwhile, and it verified
        assert inbox.items() == []
    finally:
        inbox.close()
    assert len(finn.transport.client.inbox()) == 1  # not acknowledged: still at the endpoint
    assert not _seen(finn, message_id)  # the opening's record was held back

    monkeypatch.undo()
    inbox = Inbox(finn)
    try:
        report = SyncWorker(finn, None, inbox).run_once()
        assert (report.received, report.refused) == (1, 0)  # not refused as a repeat
        [item] = inbox.items()
        assert item.state == "verified" and item.verdict["message_id"] == message_id
    finally:
        inbox.close()
    assert _seen(finn, message_id)
    assert finn.transport.client.inbox() == []


def test_the_same_letter_twice_in_one_fetch_is_a_repeat_the_second_time(pair, png_bytes):
    erin, finn = pair
    data, message_id = _sealed(erin, finn, png_bytes(32))
    for _ in range(2):  # a relay delivering it twice, under two endpoint ids
        erin.transport.client.send(uuid.uuid4().hex, [finn.staff_id], data)
    inbox = Inbox(finn)
    try:
        before = {item.id for item in inbox.items()}
        assert inbox.fetch(finn.crl(refresh=True)) == (1, 1)
        first, second = [item for item in inbox.items() if item.id not in before]
        assert first.state == "verified" and first.verdict["message_id"] == message_id
        assert second.state == "refused" and second.verdict["refusal"] == "Replayed"
    finally:
        inbox.close()
    assert any(e["event"] == "refused" and e["detail"]["reason"] == "Replayed"
               for e in finn.audit.entries())
