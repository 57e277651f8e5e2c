"""The binding's message traffic: send, retry, sync, open, save a record copy, and the
locally remembered colleagues' keys. Mixed into MessagingBinding (which owns the signals,
the session and the one-thread Jobs); every engine call runs through ``self._run``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

from medsnap.errors import MedSnapError


#: said in the status bar when the endpoint takes this long to answer (it looked "Online"
#: for the minute a request can wait on a frozen endpoint)
NOT_ANSWERING = ("The hospital endpoint is not answering. Messages wait in the outbox and are "
                 "sent when it answers.")


LOCKED_BEFORE_SEALED = ("Not sent: MedSnap locked before the picture was sealed, so nothing was "
                        "sent or queued. Your picture is still here; press Send again.")


REFUSED_BY_RECIPIENT = ("A colleague's MedSnap could not open a letter you sent; nothing was "
                        "shown to them. The Sent tab says why and what to do.")
NOT_DELIVERED = ("A letter you sent expired before a colleague collected it. The Sent tab says "
                 "who, and what to do.")


NEW_KEYS = "new keys"  # what a send returns when the colleague enrolled again meanwhile


def _sent_items(session, outbox) -> list:
    """The outbox's items with what their sender wrote, decrypted for the Sent list only."""
    from medsnap.messaging.sent_notes import with_notes

    return with_notes(outbox.items(), session.profile.outbox_path,
                      session.clinician.encryption_key)


class MessageTraffic:
    #: how long an answer may take before the status bar stops saying "Online"
    slow_answer_ms: int = 8_000
    #: how many of the messages just fetched are urgent (for the notification; no content)
    fresh_urgent: int = 0
    #: and how many were refused (a refused letter is not "from a colleague")
    fresh_refused: int = 0

    # sending --------------------------------------------------------------------------
    def send(self, document, to_staff_id: str, *, note: str, declaration: str,
             priority: str = "normal", expires_days: int | None = None,
             quality: int | None = None) -> None:
        """Export the clean image, seal it to the colleague and queue it (no network call when
        the colleague was picked from the directory list: ``queued`` at once), then try to
        send it (``sent`` with the outcome of that attempt)."""
        from medsnap.messaging.colleague_keys import newer_keys_meanwhile
        from medsnap.messaging.compose import queue_letter
        from medsnap.messaging.outbox import Outbox
        from medsnap.messaging.sent_notes import keep_for_sender

        session = self.session
        if not self.is_unlocked:
            self.send_failed.emit("MedSnap is locked or nobody is signed in. Nothing was sent; "
                                  "your picture is still here. Sign in, then press Send again.")
            return
        entry = next((e for e in self.directory if e["staff_id"] == to_staff_id), None)

        def work():
            from medsnap.ui.sent_preview import sent_bytes

            checking = newer_keys_meanwhile(session, entry)  # NU5: a list from before a
            image = sent_bytes(document, quality)  # re-enrolment; the window's jpeg_quality
            newer = checking()
            if newer is not None:  # sealed to the old keys, it went to keys nobody holds
                return NEW_KEYS, newer
            own_key = session.clinician.encryption_key.public_key()  # the Sent list's note
            colleagues = [session.keep_colleague(entry)] if entry else None
            outbox = Outbox(session.profile.outbox_path)
            try:
                # priority travels signed, in the letter's annotations data (the engine has
                # no priority field): {"priority": "urgent"}
                message_id = queue_letter(session, outbox, image, [to_staff_id], note=note,
                                          declaration=declaration, expires_days=expires_days,
                                          annotations={"priority": priority},
                                          colleagues=colleagues)
            except BaseException:
                outbox.close()
                raise
            # Queued: it will go whatever happens now, so a lock from here on (the Sent
            # list's items need the keys) must not make it look unsent.
            try:
                keep_for_sender(session, message_id, note, priority, declaration, own_key)
                return message_id, _sent_items(session, outbox)
            except MedSnapError:
                return message_id, None
            finally:
                outbox.close()

        def done(result) -> None:
            message_id, items = result
            if message_id == NEW_KEYS:  # the list, the card and its warning are updated
                self._directory_loaded(([items], self.directory_offline))
                self.send_failed.emit(
                    f"Not sent: {items['display_name']} has new keys since the list was loaded "
                    "(a new workstation, or a lost key file). Compare the safety number with "
                    "them, then press Send again.")
                return
            if items is not None:
                self._show_outbox(session, items)
            self.queued.emit(message_id)
            self._upload(message_id)

        def failed(message: str) -> None:
            if not self.is_unlocked:  # the lock came before the letter was sealed
                message = LOCKED_BEFORE_SEALED
            self.send_failed.emit(message)

        self.sending.emit()
        self.local_jobs.run(work, done, failed, "sending the picture")

    def _upload(self, message_id: str) -> None:
        from medsnap.messaging.outbox import Outbox
        from medsnap.messaging.sync import SyncWorker

        session = self.session

        def work():
            outbox = Outbox(session.profile.outbox_path)
            try:
                report = SyncWorker(session, outbox).run_once()
                item = outbox.get(message_id)
                return item, report, _sent_items(session, outbox)
            finally:
                outbox.close()

        waiting = self._watch_answer()

        def done(result) -> None:
            waiting.stop()
            waiting.deleteLater()
            item, report, items = result
            self._set_offline(report.offline)
            self._show_outbox(session, items)
            self._tell_not_reached(report)
            self.sent.emit(item.id, item.state, item.reason)

        def failed(message: str) -> None:  # it stays queued; the next sync sends it
            waiting.stop()
            waiting.deleteLater()
            self.sent.emit(message_id, "queued", message)

        self._run(work, done, failed, "sending the picture")

    def _show_outbox(self, session, items: list) -> None:
        """The Sent list carries what its sender wrote: only to that clinician, unlocked (a
        send that ends after a lock or a Switch user shows nothing)."""
        if self.session is session and self.is_unlocked:
            self.outbox_changed.emit(items)

    def _watch_answer(self):
        """A timer that says the endpoint is not answering unless stopped in time."""
        from PySide6.QtCore import QTimer

        waiting = QTimer(self)
        waiting.setSingleShot(True)
        waiting.setInterval(self.slow_answer_ms)
        waiting.timeout.connect(lambda: self._set_offline(NOT_ANSWERING))
        waiting.start()
        return waiting

    def retry(self, message_id: str) -> None:
        from medsnap.messaging.outbox import Outbox

        session = self.session
        if session is None:
            return

        def work():
            outbox = Outbox(session.profile.outbox_path)
            try:
                outbox.retry(message_id)
            finally:
                outbox.close()

        self._run(work, lambda _r: self.sync(), self.notice.emit, "retrying the message")

    # syncing --------------------------------------------------------------------------
    def sync(self) -> None:
        """One SyncWorker.run_once off the UI thread (skipped while one is in flight)."""
        from medsnap.messaging.inbox import Inbox
        from medsnap.messaging.outbox import Outbox
        from medsnap.messaging.sync import SyncWorker

        session = self.session
        if self._syncing or not self.is_unlocked:
            return
        self._syncing = True

        def work():
            outbox, inbox = Outbox(session.profile.outbox_path), Inbox(session)
            try:
                before = {item.id for item in inbox.items()}
                report = SyncWorker(session, outbox, inbox).run_once()
                incoming = inbox.with_previews(inbox.items())  # decrypted for the list only
                urgent = sum(1 for item in incoming if item.id not in before
                             and item.preview is not None and item.preview.urgent)
                return report, _sent_items(session, outbox), incoming, urgent
            finally:
                outbox.close()
                inbox.close()

        waiting = self._watch_answer()

        def done(result) -> None:
            waiting.stop()
            waiting.deleteLater()
            self._syncing = False
            if not self.is_unlocked:  # locked meanwhile: nothing of it may reach the screen
                return
            report, outgoing, incoming, urgent = result
            self._set_offline(report.offline)
            self._show_outbox(session, outgoing)
            self.inbox_changed.emit(incoming)
            self._tell_not_reached(report)
            fresh = report.received + report.refused  # fetched and checked just now
            if fresh:
                self.fresh_urgent, self.fresh_refused = urgent, report.refused
                self.new_messages.emit(fresh)

        def failed(message: str) -> None:
            waiting.stop()
            waiting.deleteLater()
            self._syncing = False
            if self.is_unlocked:  # a sync cut short by a lock is not a failure to report
                self.notice.emit(message)

        self._run(work, done, failed, "checking for messages")

    def _tell_not_reached(self, report) -> None:
        """Said once, when a sync learns it (the letter's row turns red in Sent too)."""
        if report.refused_by_recipients:
            self.notice.emit(REFUSED_BY_RECIPIENT)
        elif report.undelivered:
            self.notice.emit(NOT_DELIVERED)

    def _set_offline(self, offline: str) -> None:
        if offline != self.offline:
            self.offline = offline
            self.offline_changed.emit(offline)

    # reading --------------------------------------------------------------------------
    def open_item(self, item_id: str) -> None:
        from medsnap.messaging.inbox import Inbox

        session = self.session
        if not self.is_unlocked:
            return

        def work():
            inbox = Inbox(session)
            try:
                letter = inbox.open(item_id, crl=session.crl(refresh=False))
                return inbox.get(item_id), letter, inbox.with_previews(inbox.items())
            finally:
                inbox.close()

        def done(result) -> None:
            if not self.is_unlocked:  # locked while it was being opened: drop the letter
                return
            item, letter, items = result
            self.inbox_changed.emit(items)
            self.letter_opened.emit(item, letter)

        def failed(message: str) -> None:
            if self.is_unlocked:
                self.open_failed.emit(message)

        self._run(work, done, failed, "opening the message")

    def save_record_copy(self, image: bytes, path: str, message_id: str,
                         tell: Callable[[str], None] | None = None) -> None:
        """Write the copy and audit it; the outcome goes to ``notice`` and, when given, to
        ``tell`` (the viewer that asked: the status bar is behind it)."""
        session = self.session

        def work():
            from medsnap.exporting import write_atomically

            write_atomically(Path(path), image)  # the one writer: complete or absent, 0600
            session.audit.record("saved_copy", id=message_id, size=len(image))
            return path

        def say(message: str) -> None:
            self.notice.emit(message)
            if tell is not None:
                tell(message)

        self._run(work, lambda p: say(f"Saved a copy for the record to {p} "
                                      "(recorded in the audit log)."),
                  say, "saving the copy")

    # colleagues' keys -----------------------------------------------------------------
    def _known_path(self) -> Path:
        return self.session.profile.folder / "known_colleagues.json"

    def known_colleagues(self) -> dict:
        if self.session is None:
            return {}
        try:
            return json.loads(self._known_path().read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def remember_colleague(self, staff_id: str, safety: str, verified: bool) -> None:
        known = self.known_colleagues()
        known[staff_id] = {"safety_number": safety, "verified": verified,
                           "seen_at": int(time.time())}
        path = self._known_path()
        path.write_text(json.dumps(known, indent=1, sort_keys=True))
