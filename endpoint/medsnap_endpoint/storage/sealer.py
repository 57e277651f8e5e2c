"""Group commit: many concurrent commits made durable by one flush of the database's log.

Write transactions commit without waiting for the disk (SQLite WAL with ``synchronous=NORMAL``,
PostgreSQL with ``synchronous_commit = off``), so the write lock and the audit chain's lock are
held only while the rows are written, never during an fsync. A transaction that must be durable
before it is answered (a stored message, a read receipt, an administrator's change) then calls
:meth:`Sealer.wait`. The log is sequential, so one flush that *starts* after a commit makes that
commit and every earlier one durable: whoever finds no flush running starts one for everybody
waiting; the others sleep until a flush that started after their commit has finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Sealer:
    """Waits for durability, sharing one ``flush`` among every commit made before it starts."""

    def __init__(self, flush: Callable[[], None]):
        self._flush = flush
        self._state = threading.Condition()
        self._committed = 0  # tickets handed out: commits that asked to be sealed
        self._sealed = 0  # every ticket up to this one is durable
        self._flushing = False
        self.flushes = 0  # how many flushes ran (tests and benchmarks read it)

    def idle(self) -> bool:
        """No flush running and nobody waiting for one (a hint: it may change at once)."""
        return not self._flushing and self._sealed == self._committed

    def wait(self) -> None:
        """Return once every commit made before this call is durable; raise if a flush fails."""
        with self._state:
            self._committed += 1
            ticket = self._committed
            while self._sealed < ticket:
                if self._flushing:
                    self._state.wait()
                    continue
                # lead: this flush covers every ticket handed out so far
                covered = self._committed
                self._flushing = True
                self._state.release()
                try:
                    self._flush()
                finally:  # on failure the error goes to this caller; a follower leads again
                    self._state.acquire()
                    self._flushing = False
                    self.flushes += 1
                    self._state.notify_all()  # (the lock is held: they wake after this)
                self._sealed = max(self._sealed, covered)
