"""A downloaded letter is stored on disk while it is opened in memory; it is recorded as seen
only once it is stored.

Storing (a 5 MB file and a row, fsynced) and opening (decrypt; chain, signature, recipient, times,
parts) take 10-40 ms each and need nothing from each other, so they run at once: the commit on
a thread of its own with its own connection, the opening on the caller's thread. What must
come after the letter is on disk still does, in the inbox: the acknowledgement (the endpoint
then deletes its copy) and the replay store's record of the message id. ``ReplayAfterStore``
lets ``open_letter`` check the id as usual but holds its record back until the letter is
stored, so a letter whose store failed is not refused as a repeat when it is downloaded again.

Once stored, the acknowledgement (a request to the endpoint) and keeping the opening's outcome
(the replay record, the verdict, the audit line: three fsynced writes here) need nothing from
each other either: ``AcknowledgeMeanwhile`` sends it on a thread while they are written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from medsnap.crypto.letter_errors import LetterError
from medsnap.crypto.letter_model import OpenedLetter
from medsnap.crypto.replay import ReplayStore
from medsnap.messaging.letter_files import beside
from medsnap.messaging.letter_store import open_letter_store


class ReplayAfterStore:
    """The replay store as ``open_letter`` uses it, its record held until ``record_now``."""

    def __init__(self, store: ReplayStore):
        self._store = store
        self._held: tuple[str, str, int, int] | None = None

    def check(self, message_id: str, file_sha256: str, *, reopen: bool = False) -> None:
        self._store.check(message_id, file_sha256, reopen=reopen)

    def record(self, message_id: str, file_sha256: str, expires_at: int, now: int) -> None:
        self._held = (message_id, file_sha256, expires_at, now)

    def record_now(self) -> None:
        """Record what the opening accepted (raises Replayed if another copy got in first)."""
        if self._held is not None:
            self._store.record(*self._held)


def store_letter(path: Path, schema: str, item_id: str, entry: dict, data: bytes) -> None:
    """A downloaded letter's file on disk, then its row committed (fsynced), on this thread
    (letter_files: the file first, so a row never names a letter that is not complete)."""
    db = open_letter_store(path, schema)
    try:
        beside(path).write(item_id, data)  # the same bytes if another fetch wrote it first
        db.execute("INSERT INTO inbox (id, endpoint_sender, size, received_at, expires_at)"
                   " VALUES (?, ?, ?, ?, ?)", (item_id, entry["sender"], len(data),
                                               int(time.time()), int(entry["expires_at"])))
    finally:
        db.close()


def store_while_opening(store: Callable[[], None],
                        opening: Callable[[ReplayAfterStore], OpenedLetter],
                        replay: ReplayStore) -> tuple[OpenedLetter | LetterError,
                                                      ReplayAfterStore]:
    """Run ``store()`` on a thread and ``opening(replay_store)`` here; return once both are
    done: the opened letter or the reason it is refused, and the record to make. A failed
    store is raised (nothing is acknowledged or recorded then)."""
    failure: list[BaseException] = []

    def storing() -> None:
        try:
            store()
        except BaseException as error:  # raised on the caller's thread below
            failure.append(error)

    thread = threading.Thread(target=storing, daemon=True, name="inbox-store")
    thread.start()
    held = ReplayAfterStore(replay)
    try:
        outcome: OpenedLetter | LetterError = opening(held)
    except LetterError as error:
        outcome = error
    finally:
        thread.join()
    if failure:
        raise failure[0]
    return outcome, held


class AcknowledgeMeanwhile:
    """Acknowledge one stored letter on a thread (network only: the inbox records it on its
    own thread); ``result()`` waits: True once acknowledged, False if the endpoint no longer
    has it (acknowledged by an earlier run), and raises EndpointUnreachable."""

    def __init__(self, transport, item_id: str):
        self._acknowledged = False
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._send, args=(transport, item_id),
                                        daemon=True, name="inbox-acknowledge")
        self._thread.start()

    def _send(self, transport, item_id: str) -> None:
        from medsnap.messaging.errors import EndpointRefusedRequest

        try:
            transport.call(transport.client.acknowledge, item_id)
            self._acknowledged = True
        except EndpointRefusedRequest:
            pass  # gone already; the copy is here
        except BaseException as error:  # raised on the caller's thread by result()
            self._failure = error

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> bool:
        self.wait()
        if self._failure is not None:
            raise self._failure
        return self._acknowledged
