"""On the real window: a letter altered at the endpoint is refused by its recipient's MedSnap,
and the sender's Sent list says "Could not be opened", who and why, in red, without a Retry (it said
"Delivered": the refused letter had been stored and acknowledged)."""

from __future__ import annotations

import hashlib

import pytest
from send_receive_support import (PASSPHRASE, no_draft_left, running_ward, send_to,
                                  signed_in_window)

from medsnap.messaging.inbox import Inbox
from medsnap.messaging.profile import Workstation
from medsnap.messaging.session import sign_in
from medsnap.messaging.sync import SyncWorker
from medsnap.ui.message_traffic import REFUSED_BY_RECIPIENT
from medsnap.ui.outbox_view import URGENT_RED


@pytest.fixture(scope="module")
def ward():
    with running_ward(("Una Sender", "Registrar"), ("Vic Reader", "Consultant")) as ward:
        yield ward


def _alter_at_the_endpoint(ward) -> None:
    """Someone with the endpoint's database changes the letter and its recorded digest."""
    from medsnap_endpoint.storage import open_database

    database = open_database(ward.endpoint.database_url)
    try:
        with database.transaction(write=True) as tx:
            [(message,)] = tx.all("SELECT id FROM messages WHERE sender = ?",
                                  (ward.staff["Una Sender"],))
            chunks = tx.all("SELECT seq, data FROM message_chunks WHERE message_id = ? "
                            "ORDER BY seq", (message,))
            last_seq, last = chunks[-1]
            changed = bytearray(last)
            changed[-40] ^= 0x01
            tx.execute("UPDATE message_chunks SET data = ? WHERE message_id = ? AND seq = ?",
                       (bytes(changed), message, last_seq))
            whole = b"".join(bytes(data) for _, data in chunks[:-1]) + bytes(changed)
            tx.execute("UPDATE messages SET sha256 = ? WHERE id = ?",
                       (hashlib.sha256(whole).hexdigest(), message))
    finally:
        database.close()


def _reader_fetches(ward) -> None:
    session = sign_in(Workstation(ward.home), ward.staff["Vic Reader"], PASSPHRASE,
                      keystore=ward.keystore)
    inbox = Inbox(session)
    try:
        report = SyncWorker(session, None, inbox).run_once()
        assert (report.received, report.refused) == (0, 1)
    finally:
        inbox.close()
        session.close()


def test_sent_says_not_opened_with_who_and_why(qtbot, make_window, ward, grey_png):
    with signed_in_window(qtbot, make_window, ward, "Una Sender", grey_png) as (window, ui):
        try:
            send_to(qtbot, ui, "Vic")
            _alter_at_the_endpoint(ward)
            _reader_fetches(ward)
            outbox = ui.outbox_view
            with qtbot.waitSignal(ui.binding.notice, timeout=20000,
                                  check_params_cb=lambda text: text == REFUSED_BY_RECIPIENT):
                ui.binding.sync()
            qtbot.waitUntil(lambda: outbox.tree.topLevelItemCount() == 1
                            and outbox.tree.topLevelItem(0).text(2) == "Could not be opened",
                            timeout=10000)
            row = outbox.tree.topLevelItem(0)
            assert row.foreground(0).color() == URGENT_RED
            outbox.tree.setCurrentItem(row)
            reason = outbox.reason.text()
            assert reason.startswith("Vic Reader's MedSnap could not open it (nothing was "
                                     "shown to them)")
            assert outbox.retry_row.isVisibleTo(outbox) and not outbox.retry.isVisibleTo(outbox)
        finally:
            no_draft_left(ui)
