"""Is the event loop serving one request at a time? Then a request's blocking work (SQLite's
flush of a stored send) may run on the loop's own thread instead of being handed to a worker
thread and back.

A hand-over costs two thread wake-ups per request; it buys concurrency only when other requests
are under way (a flush in a worker lets them commit meanwhile and share it). So the hot routes
count the requests they serve. While one blocks the loop, others cannot start and would not be
counted: after blocking, :meth:`LoopTraffic.notice_arrivals` lets the loop start whatever
arrived meanwhile. Any overlap marks the loop crowded, and for :data:`QUIET_SECONDS` after it
blocking work goes to the workers again.
"""

from __future__ import annotations

import asyncio
import time

#: how long after two requests overlapped the loop counts as crowded
QUIET_SECONDS = 0.1
#: loop iterations until a request that arrived during a block has entered its route: its bytes
#: are read in one (a reader callback queued behind the waiting coroutine), its task takes its
#: first step in the next, and the third resumes the coroutine after that step
_ITERATIONS_TO_START = 3


class LoopTraffic:
    """For one event loop's hot routes (its methods are called on the loop's thread only)."""

    def __init__(self) -> None:
        self.serving = 0
        self._crowded_at = float("-inf")

    def enter(self) -> None:
        self.serving += 1
        if self.serving > 1:
            self._crowded_at = time.monotonic()

    def leave(self) -> None:
        self.serving -= 1

    def alone(self) -> bool:
        """Only the caller is being served, and no two requests overlapped lately."""
        return self.serving == 1 and time.monotonic() - self._crowded_at > QUIET_SECONDS

    async def notice_arrivals(self) -> None:
        """After blocking the loop: start the requests that arrived meanwhile, so that they
        count (the caller is still being served: any of them makes two)."""
        for _ in range(_ITERATIONS_TO_START):
            await asyncio.sleep(0)
        if self.serving > 1:
            self._crowded_at = time.monotonic()
