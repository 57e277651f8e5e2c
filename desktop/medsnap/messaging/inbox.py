"""The inbox: received letters kept as ciphertext, with the verdict of opening each.

Fetching downloads each waiting message, stores its ciphertext (committed to disk), and only
then acknowledges it to the endpoint, which deletes its copy: a crash in between means the
next fetch finds it stored and acknowledges again. Each letter is opened once at fetch time
(``open_letter``: chain, signature, sender, recipient, times, replay, parts), in memory while
it is being stored, and recorded as seen only once stored (inbox_arrival); the signed facts
or the reason for refusal are kept, never the image or the note in plaintext (the list's
preview of the note and the priority is sealed to the clinician's own key: inbox_preview).
``open`` decrypts again in memory, and sends the read receipt.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

from medsnap.crypto.letter import open_letter
from medsnap.crypto.letter_errors import LetterError, SenderCertificateRevoked
from medsnap.crypto.letter_model import OpenedLetter
from medsnap.crypto.replay import ReplayStore
from medsnap.messaging.inbox_arrival import (AcknowledgeMeanwhile, ReplayAfterStore,
                                             store_letter, store_while_opening)
from medsnap.messaging.inbox_preview import PreviewTable, preview_of
from medsnap.messaging.inbox_revocation import (arrival_of, marks_from_crl, revocation_mark,
                                                set_mark, will_not_open)
from medsnap.messaging.errors import (DamagedDownload, EndpointRefusedRequest,
                                      EndpointUnreachable, NoSuchMessage)
from medsnap.messaging.inbox_damaged import is_damaged, keep_damaged
from medsnap.messaging.letter_files import beside
from medsnap.messaging.inbox_rows import (INBOX_SCHEMA, ITEM_COLUMNS, InboxItem, item_from_row,
                                          verdict_of)
from medsnap.messaging.letter_store import open_letter_store
from medsnap.messaging.refusal_receipts import receipt_reason
from medsnap.messaging.session import Session


class Inbox:
    def __init__(self, session: Session):
        self.session = session
        self._db = open_letter_store(session.profile.inbox_path, INBOX_SCHEMA)
        self._files = beside(session.profile.inbox_path)
        self._files.sweep([row[0] for row in self._db.execute("SELECT id FROM inbox")])
        self._previews = PreviewTable(self._db)
        self._replay = ReplayStore(session.profile.replay_path)

    def close(self) -> None:
        self._db.close()
        self._replay.close()

    # fetching -----------------------------------------------------------------------------
    def fetch(self, crl=None) -> tuple[int, int]:
        """Download, store, acknowledge and verify what waits; (accepted, refused)."""
        transport, client = self.session.transport, self.session.transport.client
        waiting = transport.call(client.inbox)
        accepted = refused = 0
        for entry in waiting:
            item_id = str(entry["id"])
            data = None
            known = self._has(item_id)
            if known and is_damaged(self._db, item_id):
                continue  # never acknowledged: the endpoint must not report it delivered
            if not known:
                try:
                    data = transport.call(client.download, item_id)
                except DamagedDownload:  # kept as refused; the fetch goes on with the rest
                    keep_damaged(self._db, self.session.audit, item_id, entry,
                                 self.session.known_colleagues())
                    refused += 1
                    continue
                # on disk (its file, then its row) before the acknowledgement; opened meanwhile
                outcome, replay = store_while_opening(
                    lambda: store_letter(self.session.profile.inbox_path, INBOX_SCHEMA, item_id,
                                         entry, data),
                    lambda replay_store: open_letter(
                        data, self.session.clinician, root=self.session.root, crl=crl,
                        replay_store=replay_store), self._replay)
            # stored: acknowledged (the endpoint's copy goes) while the outcome is kept here
            acknowledging = AcknowledgeMeanwhile(transport, item_id)
            try:
                if data is not None:
                    if self._keep(item_id, outcome, replay, len(data)):
                        accepted += 1
                    else:
                        refused += 1
            except BaseException:
                acknowledging.wait()  # what stopped the keeping is what is raised
                raise
            if acknowledging.result():  # raises EndpointUnreachable; False: gone already
                self._db.execute("UPDATE inbox SET acknowledged = 1 WHERE id = ?", (item_id,))
        for item in self.items(states=("unverified",)):  # left by an interrupted fetch
            if self._verify(item.id, crl):
                accepted += 1
            else:
                refused += 1
        self._mark_revoked_senders(crl)
        self.send_pending_receipts()
        return accepted, refused

    def _mark_revoked_senders(self, crl) -> None:
        """Mark kept letters whose sender the CRL now lists (the list shows it), audited."""
        items = self.items(states=("verified", "opened"))
        for item_id, mark in marks_from_crl(items, crl, self.session.root).items():
            self._set_mark(self.get(item_id), mark)

    def _set_mark(self, item: InboxItem, mark: dict) -> None:
        set_mark(self._db, self.session.audit, item, mark)

    def _has(self, item_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM inbox WHERE id = ?", (item_id,)).fetchone() \
            is not None

    def _verify(self, item_id: str, crl) -> bool:
        """A letter stored by a fetch that stopped before its verdict: the very same file
        may already be recorded as seen (the stop fell after that), so it is no repeat."""
        data = self._ciphertext(item_id)
        try:
            letter = open_letter(data, self.session.clinician, root=self.session.root, crl=crl,
                                 replay_store=self._replay, reopen=True)
        except LetterError as error:
            return self._refuse(item_id, error)
        return self._accept(item_id, letter, len(data))

    def _keep(self, item_id: str, outcome: OpenedLetter | LetterError,
              replay: ReplayAfterStore, size: int) -> bool:
        """An opening done while the letter was stored: recorded as seen now that it is."""
        if not isinstance(outcome, LetterError):
            try:
                replay.record_now()
            except LetterError as error:  # another copy of this id was accepted meanwhile
                outcome = error
        if isinstance(outcome, LetterError):
            return self._refuse(item_id, outcome)
        return self._accept(item_id, outcome, size)

    def _refuse(self, item_id: str, error: LetterError) -> bool:
        verdict = {"reason": error.message, "refusal": type(error).__name__,
                   "detail": error.detail}
        self._db.execute("UPDATE inbox SET state = 'refused', verdict = ? WHERE id = ?",
                         (json.dumps(verdict), item_id))
        self.session.audit.record("refused", id=item_id, reason=type(error).__name__,
                                  detail=error.detail)
        return False

    def _accept(self, item_id: str, letter: OpenedLetter, size: int) -> bool:
        verdict = verdict_of(letter)
        with self._db:  # the verdict and the sealed preview together
            self._db.execute("BEGIN")
            self._db.execute("UPDATE inbox SET state = 'verified', verdict = ?, expires_at = ? "
                             "WHERE id = ?", (json.dumps(verdict),
                                              int(letter.expires_at.timestamp()), item_id))
            self._keep_preview(item_id, letter)
        self.session.audit.record("received", id=item_id, message_id=letter.message_id,
                                  sender=letter.sender.staff_id, size=size)
        return True

    def _keep_preview(self, item_id: str, letter: OpenedLetter) -> None:
        """The list's preview, sealed to this clinician's own key (see inbox_preview)."""
        owner = self.session.clinician.encryption_key.public_key()
        self._previews.keep(item_id, preview_of(letter.note, letter.annotations), owner)

    def with_previews(self, items: list[InboxItem]) -> list[InboxItem]:
        """``items`` with their previews decrypted in memory (needs the unlocked keys)."""
        found = self._previews.read([item.id for item in items],
                                    self.session.clinician.encryption_key)
        return [replace(item, preview=None if will_not_open(item.verdict) else found.get(item.id))
                for item in items]

    # reading ------------------------------------------------------------------------------
    def items(self, states: tuple[str, ...] = ("unverified", "verified", "refused",
                                               "opened")) -> list[InboxItem]:
        marks = ",".join("?" * len(states))
        rows = self._db.execute(f"SELECT {ITEM_COLUMNS} FROM inbox WHERE state IN ({marks}) "
                                "ORDER BY received_at, rowid", states).fetchall()
        return [item_from_row(row) for row in rows]

    def get(self, item_id: str) -> InboxItem:
        row = self._db.execute(f"SELECT {ITEM_COLUMNS} FROM inbox WHERE id = ?",
                               (item_id,)).fetchone()
        if row is None:
            raise NoSuchMessage(f"There is no message {item_id} in your inbox (it may have "
                                "expired and been deleted).")
        return item_from_row(row)

    def _ciphertext(self, item_id: str) -> bytes:
        data = self._files.read(item_id)
        if data is not None:
            return data
        row = self._db.execute("SELECT data FROM inbox_ciphertext WHERE id = ?",
                               (item_id,)).fetchone()
        if row is None:
            raise NoSuchMessage(f"There is no message {item_id} in your inbox.")
        return bytes(row[0])

    def open(self, item_id: str, crl=None) -> OpenedLetter:
        """Decrypt and verify again, in memory; record it opened and send the read receipt."""
        letter = self.read(item_id, crl)
        self.mark_opened(item_id, letter)
        return letter

    def read(self, item_id: str, crl=None) -> OpenedLetter:
        """Decrypt and verify again, in memory, without recording it opened (a caller that may
        still refuse to show or save it marks it with ``mark_opened`` once it has)."""
        item = self.get(item_id)
        if item.state == "refused":
            from medsnap.messaging.errors import RefusedLetter

            raise RefusedLetter(f"Message {item_id} was refused when it arrived: "
                                 f"{item.verdict.get('reason', '')}")
        arrived_at = arrival_of(item.state, item.verdict, item.received_at)
        try:
            letter = open_letter(self._ciphertext(item_id), self.session.clinician,
                                 root=self.session.root, crl=crl, replay_store=self._replay,
                                 reopen=True, arrived_at=arrived_at)
        except LetterError as error:
            self.session.audit.record("refused", id=item_id, reason=type(error).__name__,
                                      detail=error.detail)
            if isinstance(error, SenderCertificateRevoked) and error.revocation is not None:
                self._set_mark(item, revocation_mark(error.revocation, arrived_at))
            raise
        revoked = letter.verification.sender_revoked
        if revoked is not None:  # shown with a caution: the list says so, the log too
            self._set_mark(item, revocation_mark(revoked.revocation, arrived_at))
            self.session.audit.record(
                "accepted_despite_revocation", id=item_id, message_id=letter.message_id,
                sender=letter.sender.staff_id, verified_at=int(arrived_at.timestamp()),
                revoked_at=int(revoked.revocation.revoked_at.timestamp()),
                reason=revoked.revocation.reason)
        return letter

    def mark_opened(self, item_id: str, letter: OpenedLetter) -> None:
        """Record the letter opened (audited) and send the read receipt."""
        self._db.execute("UPDATE inbox SET state = 'opened', opened_at = COALESCE(opened_at, ?)"
                         " WHERE id = ?", (int(time.time()), item_id))
        self._keep_preview(item_id, letter)  # a letter stored before previews gets one now
        self.session.audit.record("opened", id=item_id, message_id=letter.message_id,
                                  sender=letter.sender.staff_id)
        self.send_pending_receipts()

    def send_pending_receipts(self) -> None:
        """Read receipts for letters opened, refusal receipts (refusal_receipts) for letters
        refused, once acknowledged; ``read_receipt_sent`` marks either as sent."""
        rows = self._db.execute("SELECT id, state, verdict FROM inbox WHERE state IN "
                                "('opened', 'refused') AND read_receipt_sent = 0 AND "
                                "acknowledged = 1").fetchall()
        transport = self.session.transport
        for item_id, state, verdict in rows:
            try:
                if state == "opened":
                    transport.call(transport.client.mark_read, item_id)
                else:
                    reason = receipt_reason(json.loads(verdict).get("refusal", ""))
                    transport.call(transport.client.mark_refused, item_id, reason)
            except EndpointUnreachable:
                return  # sent at the next sync
            except EndpointRefusedRequest:
                pass  # the endpoint forgot the message (expired), or cannot take this
                # receipt (an endpoint older than it); nothing more to tell
            self._db.execute("UPDATE inbox SET read_receipt_sent = 1 WHERE id = ?", (item_id,))

    def delete_expired(self, now: int | None = None,
                       retention_days: int | None = None) -> list[str]:
        """Delete letters past their signed expiry, or kept longer than the retention policy."""
        now = int(time.time()) if now is None else now
        if retention_days is None and self._db.execute(
                "SELECT 1 FROM inbox WHERE expires_at < ? OR received_at < ? LIMIT 1",
                (now, now - SHORTEST_RETENTION_DAYS * 86400)).fetchone() is None:
            return []  # nothing the shortest policy would delete: the policy is not read
        days, unopened_days = _retention_days(self.session) if retention_days is None \
            else (retention_days, retention_days)
        # a letter nobody opened yet may be kept longer than an opened one (user_choice_limits)
        rows = self._db.execute(
            "SELECT id, expires_at < ? FROM inbox WHERE expires_at < ? OR received_at < "
            "(CASE WHEN state = 'opened' THEN ? ELSE ? END)",
            (now, now, now - days * 86400, now - unopened_days * 86400)).fetchall()
        for item_id, expired in rows:
            self._db.execute("DELETE FROM inbox WHERE id = ?", (item_id,))
            self._files.delete(item_id)  # the row is gone: its letter with it
            self.session.audit.record("deleted", id=item_id,
                                      why="expired" if expired else "retention")
        return [row[0] for row in rows]


SHORTEST_RETENTION_DAYS = 1  # the policy's minimum for retention_days (a test pins the two)


def _retention_days(session: Session) -> tuple[int, int]:
    """(days for an opened letter, for one not opened yet): policy for both; else the
    window's user choice (the session carries it; the command line's has none) for opened
    letters only - one login is shared on a ward; then the default (user_choice_limits)."""
    from medsnap.messaging.user_choice_limits import retention_days

    return retention_days(session.user_choices)
