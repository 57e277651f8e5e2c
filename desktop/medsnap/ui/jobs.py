"""The one path for slow or fallible work: run a function off the UI thread.

The worker only computes; it never touches widgets. Its result or its error comes back
through a queued signal and is handled on the UI thread in one place. A MedSnapError keeps
its clinician-readable message; anything else becomes a plain-words message (never a
traceback on screen).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from medsnap.errors import MedSnapError

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong while {what}. Nothing was changed or sent. "
    "Please try again; if it keeps happening, tell IT support."
)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(str)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay, what: str) -> None:
        super().__init__()
        self.work, self.relay, self.what = work, relay, what
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            self._report()
        except RuntimeError:  # the window closed and took the relay with it: nobody to tell
            pass

    def _report(self) -> None:
        try:
            result = self.work()
        except MedSnapError as error:
            self.relay.failed.emit(error.message)
        except MemoryError:
            self.relay.failed.emit(
                f"There is not enough memory for {self.what}. Nothing was changed. "
                "Close other programs or choose a smaller image."
            )
        except Exception:  # noqa: BLE001 - reported in plain words, logged for IT
            log.exception("background job failed: %s", self.what)
            self.relay.failed.emit(UNEXPECTED.format(what=self.what))
        else:
            self.relay.succeeded.emit(result)


class Jobs(QObject):
    """Owns the relays of jobs in flight so that none is collected before it reports."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._relays: set[_Relay] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_error: Callable[[str], None],
        what: str = "working",
    ) -> None:
        relay = _Relay()  # lives on the UI thread, so its slots run there

        def finish() -> None:
            self._relays.discard(relay)
            relay.deleteLater()

        relay.succeeded.connect(on_success)
        relay.failed.connect(on_error)
        relay.succeeded.connect(finish)
        relay.failed.connect(finish)
        self._relays.add(relay)
        self.pool.start(_Runnable(work, relay, what))

    @property
    def busy(self) -> bool:
        return bool(self._relays)

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
