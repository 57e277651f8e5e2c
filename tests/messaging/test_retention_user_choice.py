"""Keep messages (days) as the window's user chose it (tester report A): the inbox's clean-up
takes the session's user choices where policy leaves retention_days free, and the policy's
value where it sets one. The command line's sessions carry no choices: policy, then 30 days.
Two workstations against a real endpoint process."""

from __future__ import annotations

import pytest

from medsnap.messaging.compose import queue_letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sync import SyncWorker


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    sessions = [make_desk().enrol(endpoint, name) for name in ("Rita Retain", "Otto Old")]
    yield sessions
    for session in sessions:
        session.close()


def _one_letter(sender, reader, png_bytes) -> Inbox:
    outbox = Outbox(sender.profile.outbox_path)
    try:
        queue_letter(sender, outbox, png_bytes(6), [reader.staff_id], expires_days=60)
        SyncWorker(sender, outbox).run_once()
    finally:
        outbox.close()
    inbox = Inbox(reader)
    inbox.fetch()
    return inbox


def test_the_users_retention_counts_and_the_policys_wins(pair, png_bytes, tmp_path,
                                                         monkeypatch):
    rita, otto = pair
    inbox = _one_letter(rita, otto, png_bytes)
    try:
        newest = inbox.items()[-1]
        three_days_on = newest.received_at + 3 * 86400
        assert otto.user_choices == {}  # as the command line's: the default 30 days keep it
        assert newest.id not in inbox.delete_expired(now=three_days_on)

        policy = tmp_path / "policy.toml"
        policy.write_text("retention_days = 5\n", encoding="utf-8")
        monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
        otto.user_choices = {"retention_days": 2}  # the policy's 5 wins
        assert newest.id not in inbox.delete_expired(now=three_days_on)

        policy.unlink()  # no policy: the user's 2 days
        assert newest.id in inbox.delete_expired(now=three_days_on)
        assert otto.audit.entries()[-1]["detail"]["why"] == "retention"
    finally:
        inbox.close()
        otto.user_choices = {}
