"""A sync asks the endpoint for the delivery states of letters sent before while it uploads the
next one (another thread, the same connection pool), and records them as before: on this
thread, after the upload, audited; with the endpoint down nothing changes but the report."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import pytest
from messaging_support import start_endpoint

from medsnap.messaging import transport as transport_module
from medsnap.messaging.compose import queue_letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sync import SyncWorker


@pytest.fixture(scope="module")
def ward(make_desk):
    server = start_endpoint(Path(tempfile.mkdtemp(prefix="medsnap-msg-states-")))
    sender, reader = (make_desk().enrol(server, name) for name in ("Stella Stone",
                                                                   "Rita Reed"))
    yield server, sender, reader
    for session in (sender, reader):
        session.close()
    server.stop()


def _fetched(reader) -> None:
    inbox = Inbox(reader)
    try:
        assert not SyncWorker(reader, None, inbox).run_once().offline
    finally:
        inbox.close()


def test_states_of_earlier_letters_are_learned_during_the_next_upload(ward, png_bytes,
                                                                     monkeypatch):
    server, sender, reader = ward
    outbox = Outbox(sender.profile.outbox_path)
    try:
        earlier = [queue_letter(sender, outbox, png_bytes(40 + n), [reader.staff_id])
                   for n in range(2)]
        assert SyncWorker(sender, outbox).run_once().sent == earlier
        _fetched(reader)  # both delivered at the endpoint; the sender does not know yet
        later = queue_letter(sender, outbox, png_bytes(42), [reader.staff_id])

        asked: list[tuple[str, float]] = []
        status = sender.transport.client.status

        def recorded_status(message_id):
            answer = status(message_id)
            asked.append((threading.current_thread().name, time.monotonic()))
            return answer

        monkeypatch.setattr(sender.transport.client, "status", recorded_status)
        monkeypatch.setenv(transport_module.PAUSE_UPLOAD_ENV, "1.0")  # a slow upload
        report = SyncWorker(sender, outbox).run_once()
        upload_ended = time.monotonic()
        monkeypatch.delenv(transport_module.PAUSE_UPLOAD_ENV)

        assert report.sent == [later] and sorted(report.delivered) == sorted(earlier)
        assert [name for name, _ in asked] == ["delivery-states"] * 2  # not the letter just sent
        assert all(at < upload_ended - 0.5 for _, at in asked)  # answered during the pause
        assert {outbox.get(m).state for m in earlier} == {"delivered"}
        assert outbox.get(later).state == "sent"
        events = [(e["event"], e["detail"]["id"]) for e in sender.audit.entries()[-3:]]
        assert events[0] == ("sent", later)  # recorded after the upload, on this thread
        assert sorted(events[1:3]) == sorted(("delivered", m) for m in earlier)
    finally:
        outbox.close()


def test_endpoint_down_changes_nothing_but_the_report(ward, png_bytes):
    server, sender, reader = ward
    outbox = Outbox(sender.profile.outbox_path)
    try:
        sent = queue_letter(sender, outbox, png_bytes(43), [reader.staff_id])
        assert SyncWorker(sender, outbox).run_once().sent == [sent]
        _fetched(reader)
        waiting = queue_letter(sender, outbox, png_bytes(44), [reader.staff_id])
        server.stop()
        try:
            report = SyncWorker(sender, outbox).run_once()
        finally:
            server.start()
        assert report.offline and report.sent == report.delivered == []
        assert outbox.get(sent).state == "sent"  # delivered, but not learned while down
        assert outbox.get(waiting).state == "queued" and outbox.get(waiting).attempts == 1
        assert sender.audit.entries()[-1]["event"] == "queued"
    finally:
        outbox.close()
