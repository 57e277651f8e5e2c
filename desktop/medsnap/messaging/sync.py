"""The sync worker: send what is queued, learn delivery state, fetch the inbox.

Backoff: after the n-th failed attempt a message waits ``min(cap, base * 2**n)`` seconds
scaled by a random factor in [0.5, 1] (jitter), so many workstations coming back after an
outage do not all retry in the same second. ``run_forever`` sleeps likewise while offline.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medsnap.messaging.errors import EndpointRefusedRequest, EndpointUnreachable
from medsnap.messaging.undelivered_words import not_reached

#: the outbox states whose letters' recipients may still change their news (an expired one:
#: a colleague may yet refuse it, as its row is kept a while; outbox.UNDELIVERED_KEPT_SECONDS)
NEWS_MAY_COME = ("sent", "delivered", "expired")

if TYPE_CHECKING:  # the caller hands them in; sending alone never loads the inbox code
    from collections.abc import Callable, Sequence

    from medsnap.messaging.inbox import Inbox
    from medsnap.messaging.outbox import Outbox, OutboxItem
    from medsnap.messaging.session import Session

BASE_DELAY = 2.0
MAX_DELAY = 300.0


def backoff_delay(attempts: int, *, base: float = BASE_DELAY, cap: float = MAX_DELAY,
                  rng: random.Random | None = None) -> float:
    rng = rng or random.Random()
    return min(cap, base * 2 ** max(0, attempts)) * rng.uniform(0.5, 1.0)


@dataclass
class SyncReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    refused_by_recipients: list[str] = field(default_factory=list)  # (their refusal receipts)
    undelivered: list[str] = field(default_factory=list)  # expired before all collected them
    received: int = 0
    refused: int = 0
    offline: str = ""  # why the endpoint could not be reached, if it could not

    def as_json(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "delivered": self.delivered,
                "read": self.read, "refused_by_recipients": self.refused_by_recipients,
                "undelivered": self.undelivered,
                "received": self.received, "refused": self.refused,
                "offline": self.offline}


class SyncWorker:
    def __init__(self, session: Session, outbox: Outbox | None, inbox: Inbox | None = None):
        self.session, self.outbox, self.inbox = session, outbox, inbox

    def run_once(self, *, now_only_due: bool = False, refresh_states: bool = True) -> SyncReport:
        """Send, learn delivery states (unless ``refresh_states=False``), fetch the inbox.

        The states of letters sent before are asked for on a thread of its own while this
        one uploads (the connection pool is shared between threads; the outbox is written on
        this thread only, once both are done): a sender with many letters still unread pays
        for their look-ups during an upload that mostly waits for the endpoint.
        """
        report = SyncReport()
        try:
            if self.outbox is not None:
                asking = _StatesMeanwhile(self, self.outbox.items(NEWS_MAY_COME)) \
                    if refresh_states else None
                try:
                    self.push(report, only_due=now_only_due)
                except BaseException:
                    if asking is not None:
                        asking.wait()  # its answers, or its failure, no longer matter
                    raise
                self.apply_states(asking.answers() if asking is not None else [], report)
                self.delete_expired()
            if self.inbox is not None:
                crl = self.session.crl(refresh=True)
                report.received, report.refused = self.inbox.fetch(crl)
                self.inbox.delete_expired()
        except EndpointUnreachable as error:
            report.offline = error.message
        return report

    def push(self, report: SyncReport, *, only_due: bool = False) -> None:
        assert self.outbox is not None
        items = self.outbox.due() if only_due else self.outbox.items(("queued",))
        for index, item in enumerate(items):
            failure = self.upload(item.id, item.recipients, self.outbox.ciphertext(item.id))
            self.settle(item, failure, report, waiting=items[index + 1:])

    def upload(self, message_id: str, recipients: list[str], ciphertext: bytes,
               before_end: Callable[[], None] | None = None
               ) -> EndpointUnreachable | EndpointRefusedRequest | None:
        """Upload one letter; the endpoint's failure, if one stopped it (``settle`` acts)."""
        try:
            self.session.transport.upload(message_id, recipients, ciphertext,
                                          before_end=before_end)
        except (EndpointUnreachable, EndpointRefusedRequest) as error:
            return error
        return None

    def settle(self, item: OutboxItem, failure: Exception | None, report: SyncReport,
               waiting: Sequence[OutboxItem] = ()) -> None:
        """Record an upload's outcome: sent (only after the endpoint confirmed it stored it),
        failed with the endpoint's reason, or - unreachable - this letter and the ``waiting``
        ones postponed with backoff, and the failure raised."""
        assert self.outbox is not None
        if isinstance(failure, EndpointUnreachable):
            for late in (item, *waiting):
                self.outbox.postpone(late.id, failure.message, backoff_delay(late.attempts))
            raise failure
        if isinstance(failure, EndpointRefusedRequest):
            self.outbox.mark_failed(item.id, failure.message)
            self.session.audit.record("failed", id=item.id, reason=failure.code)
            report.failed.append(item.id)
            return
        self.outbox.mark_sent(item.id)
        self.session.audit.record("sent", id=item.id, to=item.recipients, size=item.size)
        report.sent.append(item.id)

    def delete_expired(self) -> None:
        assert self.outbox is not None
        for message_id in self.outbox.delete_expired():
            self.session.audit.record("deleted", id=message_id, why="expired")

    def fetch_states(self, items: Sequence[OutboxItem]) -> list[tuple[OutboxItem, list[dict]]]:
        """Each letter's recipients at the endpoint (their states; network only: no outbox
        access, so it may run on another thread); one purged there is left out."""
        client = self.session.transport.client
        answers = []
        for item in items:
            try:
                status = self.session.transport.call(client.status, item.id)
            except EndpointRefusedRequest:
                continue  # purged at the endpoint; keep the last known state
            answers.append((item, status["recipients"]))
        return answers

    def apply_states(self, answers: Sequence[tuple[OutboxItem, list[dict]]],
                     report: SyncReport) -> None:
        assert self.outbox is not None
        now = time.time()
        for item, answered in answers:
            # only what it says of this letter's own recipients: an endpoint cannot add others
            recipients = [r for r in answered if r.get("staff_id") in item.recipients]
            if not recipients:
                continue
            states = {r["status"] for r in recipients}
            refused_by: dict[str, list[str]] = {}
            for r in recipients:
                if r["status"] == "refused":
                    refused_by.setdefault(str(r.get("refusal") or ""), []).append(r["staff_id"])
            # never collected: expired at the endpoint, or still waiting there past the
            # letter's own expiry (their MedSnap would refuse it as expired)
            missed = [r["staff_id"] for r in recipients if r["status"] == "expired"
                      or (r["status"] == "stored" and now > item.expires_at)]
            if refused_by or missed:  # one colleague not reached outweighs others who were
                self._not_reached(item, refused_by, missed, report)
            elif states == {"read"} and self.outbox.mark_delivery(item.id, "read"):
                if item.state == "sent":  # read before any sync saw it delivered: it was
                    self.session.audit.record("delivered", id=item.id)
                self.session.audit.record("read", id=item.id)
                report.read.append(item.id)
            elif states <= {"delivered", "read"} and self.outbox.mark_delivery(item.id,
                                                                               "delivered"):
                self.session.audit.record("delivered", id=item.id)
                report.delivered.append(item.id)

    def _not_reached(self, item: OutboxItem, refused_by: dict[str, list[str]],
                     missed: list[str], report: SyncReport) -> None:
        contacts = self.session.known_colleagues()

        def names(staff_ids: list[str]) -> list[str]:
            return [contacts.get(s, {}).get("display_name", s) for s in staff_ids]

        reason = not_reached({code: names(ids) for code, ids in refused_by.items()},
                             names(missed))
        if refused_by:
            if self.outbox.mark_refused(item.id, reason):
                self.session.audit.record("refused-by-recipient", id=item.id,
                                          by=refused_by,
                                          missed=missed)
                report.refused_by_recipients.append(item.id)
        elif self.outbox.mark_undelivered(item.id, reason):
            self.session.audit.record("not-delivered", id=item.id, to=missed)
            report.undelivered.append(item.id)

    def run_forever(self, stop: threading.Event, interval: float = 10.0) -> None:
        """Sync every ``interval`` seconds; back off with jitter while the endpoint is away."""
        failures = 0
        while not stop.is_set():
            report = self.run_once(now_only_due=True)
            failures = failures + 1 if report.offline else 0
            stop.wait(backoff_delay(failures - 1) if failures else interval)


class _StatesMeanwhile:
    """``worker.fetch_states(items)`` on a thread; ``answers()`` waits for it and raises what
    stopped it (EndpointUnreachable: the caller reports the endpoint offline)."""

    def __init__(self, worker: SyncWorker, items: Sequence[OutboxItem]):
        self._answers: list[tuple[OutboxItem, list[dict]]] = []
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None
        if items:  # nothing to ask: no thread
            self._thread = threading.Thread(target=self._ask, args=(worker, items),
                                            daemon=True, name="delivery-states")
            self._thread.start()

    def _ask(self, worker: SyncWorker, items: Sequence[OutboxItem]) -> None:
        try:
            self._answers = worker.fetch_states(items)
        except BaseException as error:  # raised on the caller's thread by answers()
            self._failure = error

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def answers(self) -> list[tuple[OutboxItem, list[dict]]]:
        self.wait()
        if self._failure is not None:
            raise self._failure
        return self._answers
