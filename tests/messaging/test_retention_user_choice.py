"""Keep messages (days) as the window's user chose it (tester report A), within what a shared
login allows (review): the window's choices are stored per computer account and a ward's
clinicians share one login, so one person's short choice deleted every colleague's letters -
unread ones too. Now the user's days delete only letters already opened; a letter nobody has
opened is kept at least the default's days (the longer of the two); a policy value decides for
every letter; a letter's own signed expiry applies regardless. The command line's sessions
carry no choices: policy, then 30 days. Two workstations against a real endpoint process."""

from __future__ import annotations

import pytest

from medsnap.messaging.compose import queue_letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.sync import SyncWorker
from medsnap.messaging.user_choice_limits import retention_days

DAY = 86400


@pytest.fixture(scope="module")
def pair(endpoint, make_desk):
    sessions = [make_desk().enrol(endpoint, name) for name in ("Rita Retain", "Otto Old")]
    yield sessions
    for session in sessions:
        session.close()


@pytest.fixture
def no_policy(tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    return policy


def _letters(sender, reader, png_bytes, count: int) -> Inbox:
    outbox = Outbox(sender.profile.outbox_path)
    try:
        for seed in range(count):
            queue_letter(sender, outbox, png_bytes(6 + seed), [reader.staff_id], expires_days=60)
        SyncWorker(sender, outbox).run_once()
    finally:
        outbox.close()
    inbox = Inbox(reader)
    inbox.fetch()
    return inbox


def test_the_users_retention_deletes_only_opened_letters(pair, png_bytes, no_policy):
    rita, otto = pair
    inbox = _letters(rita, otto, png_bytes, 2)
    try:
        unread, read = inbox.items()[-2:]
        inbox.open(read.id)
        three_days_on = max(unread.received_at, read.received_at) + 3 * DAY
        assert otto.user_choices == {}  # as the command line's: the default 30 days keep both
        assert inbox.delete_expired(now=three_days_on) == []

        otto.user_choices = {"retention_days": 2}  # one clinician's choice, for the login
        assert inbox.delete_expired(now=three_days_on) == [read.id]  # never the unread one
        assert otto.audit.entries()[-1]["detail"]["why"] == "retention"
        assert [item.id for item in inbox.items()][-1] == unread.id

        # nobody opened it in 30 days: the default deletes it, as without the user's choice
        assert inbox.delete_expired(now=unread.received_at + 31 * DAY) == [unread.id]
    finally:
        inbox.close()
        otto.user_choices = {}


def test_a_policys_retention_decides_for_every_letter(pair, png_bytes, no_policy):
    rita, otto = pair
    inbox = _letters(rita, otto, png_bytes, 1)
    try:
        newest = inbox.items()[-1]
        no_policy.write_text("retention_days = 5\n", encoding="utf-8")
        otto.user_choices = {"retention_days": 2}  # the policy's 5 wins
        assert newest.id not in inbox.delete_expired(now=newest.received_at + 3 * DAY)
        # IT's rule applies to letters not opened yet too, as it always did
        assert newest.id in inbox.delete_expired(now=newest.received_at + 6 * DAY)
    finally:
        inbox.close()
        otto.user_choices = {}


def test_a_longer_choice_keeps_unread_letters_as_long(no_policy):
    assert retention_days({}) == (30, 30)
    assert retention_days({"retention_days": 2}) == (2, 30)
    assert retention_days({"retention_days": 90}) == (90, 90)
    assert retention_days({"retention_days": "nonsense"}) == (30, 30)  # ignored, as in config
    no_policy.write_text("retention_days = 7\n", encoding="utf-8")
    assert retention_days({"retention_days": 90}) == (7, 7)
