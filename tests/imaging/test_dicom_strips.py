"""Rows shared between the calling thread and the helper: every strip once, errors raised in
the caller, and a busy helper never waited for."""

from __future__ import annotations

import threading
import time

import pytest

from medsnap.imaging import dicom_strips
from medsnap.imaging.dicom_strips import share_rows, strip_rows

COLUMNS = 1000
ROWS = 40 * strip_rows(COLUMNS) + 7  # many strips, the last one short


def recording(seen: list, threads: set):
    def work(strips):
        for top, bottom in strips:
            seen.append((top, bottom))
            threads.add(threading.get_ident())
            time.sleep(0.0002)  # as a read would: lets the other thread take strips
        return len(seen)
    return work


def test_every_strip_exactly_once_across_two_threads():
    if dicom_strips._helper_pool() is None:
        pytest.skip("one core: there is no helper thread")
    seen, threads = [], set()
    for _ in range(20):  # the helper usually joins in within twenty frames
        seen.clear()
        results = share_rows(ROWS, COLUMNS, recording(seen, threads))
        rows = sorted(row for top, bottom in seen for row in range(top, bottom))
        assert rows == list(range(ROWS))
        assert 1 <= len(results) <= 2
    assert len(threads) == 2


def test_busy_helper_is_not_waited_for():
    pool = dicom_strips._helper_pool()
    if pool is None:
        pytest.skip("one core: there is no helper thread")
    release = threading.Event()
    blocker = pool.submit(release.wait, 30)  # the helper is reading another frame
    try:
        seen, threads = [], set()
        results = share_rows(ROWS, COLUMNS, recording(seen, threads))
        assert threads == {threading.get_ident()} and len(results) == 1
        assert sorted(row for top, bottom in seen for row in range(top, bottom)) == \
            list(range(ROWS))
    finally:
        release.set()
        blocker.result()


@pytest.mark.parametrize("failing", ["caller", "helper"])
def test_an_error_in_either_thread_is_raised_in_the_caller(failing):
    caller = threading.get_ident()

    def work(strips):
        for _ in strips:
            if (threading.get_ident() == caller) == (failing == "caller"):
                raise OSError("disk gone")
            time.sleep(0.0002)
        return None

    if failing == "helper" and dicom_strips._helper_pool() is None:
        pytest.skip("one core: there is no helper thread")
    for _ in range(20):  # until the helper has taken a strip
        try:
            share_rows(ROWS, COLUMNS, work)
        except OSError as error:
            assert str(error) == "disk gone"
            return
    pytest.fail("no error came back")


def test_small_frames_stay_on_the_calling_thread():
    seen, threads = [], set()
    share_rows(2 * strip_rows(COLUMNS), COLUMNS, recording(seen, threads))
    assert threads == {threading.get_ident()}
