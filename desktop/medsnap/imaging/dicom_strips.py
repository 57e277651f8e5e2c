"""Share a frame's rows between the calling thread and one helper thread, a strip at a time.

File reads and numpy's copies, look-ups and reductions release the GIL, so two threads each
working on a cache-sized strip of rows take about half the time on two free cores. Strips are
handed out one at a time from a shared counter: when the helper is busy (another frame is
being read) or the machine is loaded, the calling thread simply takes more strips, and it
never waits for a helper that has not started. With one core there is no helper.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TypeVar

#: Samples per strip: 32 rows of a 2048-wide radiograph (128 KB of 16-bit samples, 512 KB as
#: native indices), small enough to stay in a core's cache between the steps done on it, and
#: large enough that the Python between numpy calls costs little (measured: 2^15 to 2^18).
STRIP_SAMPLES = 1 << 16

Result = TypeVar("Result")
Strips = Iterator[tuple[int, int]]

_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


def strip_rows(columns: int) -> int:
    """Rows in one strip of a frame ``columns`` wide."""
    return max(1, STRIP_SAMPLES // max(columns, 1))


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _helper_pool() -> ThreadPoolExecutor | None:
    global _helper
    with _helper_lock:
        if _helper is None and _cores() >= 2:
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medsnap-strips")
        return _helper


def share_rows(rows: int, columns: int,
               worker: Callable[[Strips], Result]) -> list[Result]:
    """Run ``worker(strips)`` on this thread and on the helper; each draws (top, bottom) row
    ranges from one shared supply until none is left, and works on disjoint rows. Returns
    each run's result (one or two). An error in either run is raised here, after the other
    run has stopped touching the rows."""
    step = strip_rows(columns)
    counter = itertools.count()  # its next() is atomic: no strip is handed out twice
    failed = threading.Event()

    def strips() -> Strips:
        while not failed.is_set():
            top = next(counter) * step
            if top >= rows:
                return
            yield top, min(top + step, rows)

    pool = _helper_pool() if rows > 2 * step else None
    future: Future | None = pool.submit(worker, strips()) if pool is not None else None
    try:
        mine = worker(strips())
    except BaseException:
        failed.set()
        if future is not None and not future.cancel():
            wait([future])  # it must stop writing before the caller drops the arrays
        raise
    if future is None or future.cancel():  # not started: this thread did every strip
        return [mine]
    return [mine, future.result()]
