"""A letter its recipient stored but could not open comes back to its sender as "not opened",
with who and why, through the real endpoint (refusal receipts), instead of "delivered"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medsnap.crypto.letter import seal
from medsnap.crypto.letter_model import Letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.refusal_receipts import receipt_reason
from medsnap.messaging.sync import SyncWorker


@pytest.fixture(scope="module")
def people(endpoint, make_desk):
    sessions = {}
    for name in ("Rhian Rees", "Sami Shah", "Tom Tate"):
        sessions[name.split()[0].lower()] = make_desk().enrol(endpoint, name)
    yield sessions
    for session in sessions.values():
        session.close()


def _queue(sender, recipients: list[str], data: bytes) -> tuple[Outbox, str]:
    """A letter of ``data`` in the sender's outbox, sent: as if sealed and sent by the app."""
    outbox = Outbox(sender.profile.outbox_path)
    message_id = outbox.enqueue(recipients, data, int(time.time()) + 86400)
    assert SyncWorker(sender, outbox).run_once().sent == [message_id]
    return outbox, message_id


def _fetch(reader) -> None:
    inbox = Inbox(reader)
    try:
        assert not SyncWorker(reader, None, inbox).run_once().offline
    finally:
        inbox.close()


def _sealed(sender, recipients, image: bytes) -> bytes:
    return seal(Letter(image=image, media_type="image/png", note="obs"), sender.clinician,
                [sender.colleague(r.staff_id) for r in recipients], root=sender.root)


def test_an_altered_letter_comes_back_not_opened_with_who_and_why(people, png_bytes):
    rhian, sami = people["rhian"], people["sami"]
    data = bytearray(_sealed(rhian, [sami], png_bytes(21)))
    data[-100] ^= 0x01  # one bit of the payload changed after it was sealed
    outbox, message_id = _queue(rhian, [sami.staff_id], bytes(data))
    try:
        _fetch(sami)  # refused, acknowledged, and its receipt sent
        report = SyncWorker(rhian, outbox).run_once()
        assert report.refused_by_recipients == [message_id] and not report.delivered
        item = outbox.get(message_id)
        assert item.state == "refused"
        assert item.reason.startswith("Sami Shah's MedSnap could not open it (nothing was "
                                      "shown to them): it could not be read")
        [entry] = [e for e in rhian.audit.entries() if e["event"] == "refused-by-recipient"
                   and e["detail"]["id"] == message_id]
        # (the payload no longer decrypts: damaged)
        assert entry["detail"]["by"] == {"damaged": [sami.staff_id]}
        # the command line says the same (no passphrase: the outbox holds ciphertext only)
        env = {**os.environ, "MEDSNAP_HOME": str(rhian.profile.folder.parent.parent),
               "MEDSNAP_WARM_RUNNER": "off"}
        medsnap = [str(Path(sys.executable).parent / "medsnap"), "outbox", "--as",
                   rhian.staff_id]
        listed = subprocess.run(medsnap, env=env, capture_output=True, text=True, check=True)
        assert f"{message_id}  refused" in listed.stdout and "Sami Shah's MedSnap" in listed.stdout
        as_json = subprocess.run([*medsnap, "--json"], env=env, capture_output=True, text=True,
                                 check=True)
        [shown] = [i for i in json.loads(as_json.stdout) if i["id"] == message_id]
        assert shown["state"] == "refused" and shown["reason"] == item.reason
        # final: a later sync neither asks again nor turns it into "delivered"
        assert SyncWorker(rhian, outbox).run_once().refused_by_recipients == []
        assert outbox.get(message_id).state == "refused"
    finally:
        outbox.close()


def test_one_refusal_among_readers_is_what_the_sender_sees(people, png_bytes):
    rhian, sami, tom = people["rhian"], people["sami"], people["tom"]
    # sealed to Tom alone but addressed at the endpoint to both: Tom opens it, Sami cannot
    data = seal(Letter(image=png_bytes(22), media_type="image/png"), rhian.clinician,
                [rhian.colleague(tom.staff_id)], root=rhian.root)
    outbox, message_id = _queue(rhian, [sami.staff_id, tom.staff_id], data)
    try:
        _fetch(tom)
        tom_inbox = Inbox(tom)
        try:
            [item] = [i for i in tom_inbox.items() if i.state == "verified"][-1:]
            tom_inbox.open(item.id)  # read receipt
        finally:
            tom_inbox.close()
        _fetch(sami)
        SyncWorker(rhian, outbox).run_once()
        item = outbox.get(message_id)
        assert item.state == "refused"
        assert item.reason.startswith("Sami Shah's MedSnap could not open it")
        assert "it was not encrypted for their current keys" in item.reason
        assert "Tom Tate" not in item.reason
    finally:
        outbox.close()


def test_a_receipt_that_could_not_go_at_once_turns_delivered_into_not_opened(
        people, png_bytes, monkeypatch):
    rhian, sami = people["rhian"], people["sami"]
    data = seal(Letter(image=png_bytes(23), media_type="image/png"), rhian.clinician,
                [rhian.colleague(people["tom"].staff_id)], include_self=False, root=rhian.root)
    outbox, message_id = _queue(rhian, [sami.staff_id], data)
    try:
        with monkeypatch.context() as patch:  # the network went after the acknowledgement
            patch.setattr(Inbox, "send_pending_receipts", lambda self: None)
            _fetch(sami)
        SyncWorker(rhian, outbox).run_once()
        assert outbox.get(message_id).state == "delivered"  # acknowledged, no receipt yet
        _fetch(sami)  # the receipt goes with the next sync
        assert SyncWorker(rhian, outbox).run_once().refused_by_recipients == [message_id]
        assert outbox.get(message_id).state == "refused"
    finally:
        outbox.close()


def test_two_refusals_for_different_reasons_are_each_said(people, png_bytes):
    """A possible alteration must not hide behind another colleague's harmless reason."""
    from medsnap.messaging.sync import SyncReport

    rhian, sami, tom = people["rhian"], people["sami"], people["tom"]
    outbox, message_id = _queue(rhian, [sami.staff_id, tom.staff_id], b"not a real letter")
    try:
        item = outbox.get(message_id)
        worker, report = SyncWorker(rhian, outbox), SyncReport()
        answer = [{"staff_id": sami.staff_id, "status": "refused", "refusal": "repeat"},
                  {"staff_id": tom.staff_id, "status": "refused", "refusal": "altered"},
                  {"staff_id": "<b>someone-else</b>", "status": "read"}]
        worker.apply_states([(item, answer)], report)  # (as fetch_states hands them over)
        reason = outbox.get(message_id).reason
        assert "Sami Shah's MedSnap could not open it" in reason and "repeated" in reason
        assert "Tom Tate's MedSnap could not open it" in reason and "altered" in reason
        assert "someone-else" not in reason  # the endpoint cannot add a recipient
    finally:
        outbox.close()


def _all_subclasses(kind: type) -> list[type]:
    return [c for sub in kind.__subclasses__() for c in (sub, *_all_subclasses(sub))]


def test_every_refusal_has_a_reason_the_endpoint_knows():
    from medsnap.crypto.letter_errors import LetterError, SealError
    from medsnap.messaging import refusal_receipts
    from medsnap_endpoint.protocol import REFUSAL_REASONS

    refusals = {c.__name__ for c in _all_subclasses(LetterError)} - {"SealError"} - {
        c.__name__ for c in _all_subclasses(SealError)}
    assert {receipt_reason(name) for name in refusals} <= set(REFUSAL_REASONS)
    assert set(refusal_receipts._REASON_OF) <= refusals  # no name this version never raises
    # the ones a clinician must tell apart are not lumped together
    assert receipt_reason("BadSignature") == receipt_reason("PartMismatch") == "altered"
    assert receipt_reason("NotForMe") == "not-for-me" and receipt_reason("Replayed") == "repeat"
    assert receipt_reason("SomethingNewer") == "damaged"  # (a later version's: read as such)


def test_a_fetch_stopped_after_seeing_a_letter_does_not_call_it_a_repeat(people, png_bytes,
                                                                       monkeypatch):
    """Stopped between recording the letter as seen and keeping its verdict (a crash), the next
    fetch verifies the same file again: it is the original, not a repeat, and its sender is not
    told "they have the original" for the only copy (review)."""
    rhian, sami = people["rhian"], people["sami"]
    outbox, message_id = _queue(rhian, [sami.staff_id], _sealed(rhian, [sami], png_bytes(24)))
    try:
        inbox = Inbox(sami)
        with monkeypatch.context() as patch:
            def crash(*_args):
                raise KeyboardInterrupt  # (as a kill at that moment)
            patch.setattr(Inbox, "_accept", crash)
            with pytest.raises(KeyboardInterrupt):
                inbox.fetch(sami.crl(refresh=True))
        [left] = inbox.items(states=("unverified",))
        inbox.close()
        _fetch(sami)
        inbox = Inbox(sami)
        assert inbox.get(left.id).state == "verified"
        inbox.close()
        SyncWorker(rhian, outbox).run_once()
        assert outbox.get(message_id).state in ("delivered", "sent")  # never "refused"
    finally:
        outbox.close()
