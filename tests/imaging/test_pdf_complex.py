"""A page too complex to draw stops with a clear error, within its time limit, instead of
holding the caller: PDFium works in a child process that is killed when time runs out.

The heavy page is generated: forms nested 30 deep, each drawing the next twice (a few
kilobytes; PDFium would need days). Real processes throughout; the one fault injected
is a killed child, which a real PDF cannot produce on demand.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from medsnap.errors import ImageError
from medsnap.imaging import load_picture, pdf_worker
from medsnap.imaging.pdf import load_pdf_picture, page_sizes, render_thumbnail
from medsnap.imaging.record_errors import PageTooComplex
from tests.imaging.record_fixtures import pdf_letter, pdf_nested_forms

HEAVY_DEPTH = 30


@pytest.fixture(scope="module")
def heavy() -> bytes:
    return pdf_nested_forms(HEAVY_DEPTH)


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "letter.pdf"
    path.write_bytes(pdf_letter(3, scanned_page=1))
    return path


@pytest.fixture(autouse=True, scope="module")
def no_child_left():
    yield
    pdf_worker.shutdown()


def child_pid() -> int | None:
    child = pdf_worker._child
    return child.process.pid if child is not None else None


def test_too_complex_page_stops_in_time_and_the_next_page_opens(heavy, letter):
    load_pdf_picture(letter, dpi=36)  # the child is up: its start is not counted
    first = child_pid()
    started = time.monotonic()
    with pytest.raises(PageTooComplex) as raised:
        load_pdf_picture(heavy, time_limit=1.0)
    assert time.monotonic() - started < 8.0  # 1 s, plus stopping the child on a busy CI
    message = raised.value.message
    assert "too complex to show" in message and "Nothing was changed" in message
    assert "Page 1 of the PDF" in message and "Traceback" not in message
    assert child_pid() is None  # killed, not left drawing
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)
    picture = load_pdf_picture(letter, page=2, dpi=100)  # a fresh child
    alone = load_pdf_picture(letter, page=2, dpi=100, time_limit=None)
    assert picture.image.tobytes() == alone.image.tobytes()
    assert child_pid() not in (None, first)


def test_load_picture_uses_the_standard_limit(heavy, monkeypatch):
    monkeypatch.setattr(pdf_worker, "PAGE_TIME_LIMIT", 0.5)
    with pytest.raises(PageTooComplex, match="after 0.5 seconds"):
        load_picture(heavy)


def test_thumbnail_of_a_too_complex_page_gives_up(heavy, monkeypatch):
    monkeypatch.setattr(pdf_worker, "THUMBNAIL_TIME_LIMIT", 0.5)
    with pytest.raises(PageTooComplex):
        render_thumbnail(heavy, 0)


def test_listing_pages_parses_no_page(heavy):
    """Page sizes come from the page tree: the heavy page costs nothing to list."""
    sizes: list = []
    lister = threading.Thread(target=lambda: sizes.extend(page_sizes(heavy)), daemon=True)
    lister.start()
    lister.join(timeout=10)
    assert sizes == [(595.0, 842.0)]


@pytest.mark.parametrize("dpi", [72, 300])  # 300 dpi outgrows the first shared segment
def test_pixels_from_the_child_equal_pixels_drawn_here(letter, dpi):
    for page in range(3):
        shared = load_pdf_picture(letter, page=page, dpi=dpi)
        here = load_pdf_picture(letter, page=page, dpi=dpi, time_limit=None)
        assert shared.image.size == here.image.size and shared.pdf == here.pdf
        assert shared.image.tobytes() == here.image.tobytes()
    segment = pdf_worker._child.segment
    assert segment.size >= shared.image.width * shared.image.height * 4  # grown to fit
    if os.path.isdir("/dev/shm"):  # POSIX shared memory names live there on Linux
        assert segment.name.lstrip("/") not in os.listdir("/dev/shm")  # unnamed once attached


def test_a_child_that_dies_gives_a_plain_error(heavy, letter):
    load_pdf_picture(letter, dpi=36)
    victim = child_pid()
    killer = threading.Timer(0.5, os.kill, (victim, signal.SIGKILL))
    killer.start()
    try:
        with pytest.raises(ImageError, match="stopped unexpectedly") as raised:
            load_pdf_picture(heavy, time_limit=60.0)
    finally:
        killer.cancel()
    assert not isinstance(raised.value, PageTooComplex)
    assert "Page 1 of the PDF" in raised.value.message
    assert load_pdf_picture(letter, dpi=36).page_count == 3  # and the next call works


def test_a_page_that_needs_too_much_memory_is_stopped(heavy, letter, monkeypatch):
    """Nested forms grow by about 250 MB a second: the child ends itself at its limit."""
    from medsnap.imaging.pdf_child import resident_bytes

    pdf_worker.shutdown()
    monkeypatch.setattr(pdf_worker, "MEMORY_LIMIT", 512 << 20)  # read when a child starts
    load_pdf_picture(letter, dpi=36)
    started = time.monotonic()
    with pytest.raises(PageTooComplex, match="more than 0.5 GB of memory"):
        load_pdf_picture(heavy, time_limit=120.0)
    assert time.monotonic() - started < 30.0
    assert resident_bytes() > 0  # the reader works on this platform
    pdf_worker.shutdown()


def test_child_ends_when_the_app_is_killed_mid_page(tmp_path):
    """A killed app must not leave PDFium drawing the heavy page for days."""
    import subprocess
    import sys

    source = tmp_path / "heavy.pdf"
    source.write_bytes(pdf_nested_forms(HEAVY_DEPTH))
    script = tmp_path / "app.py"
    script.write_text(
        "import sys, threading\n"
        "from medsnap.imaging import pdf, pdf_worker\n"
        "if __name__ == '__main__':\n"
        "    threading.Thread(target=pdf.load_pdf_picture, args=(sys.argv[1],),\n"
        "                     kwargs={'time_limit': 3600}, daemon=True).start()\n"
        "    while pdf_worker._child is None or not pdf_worker._lock.locked():\n"
        "        threading.Event().wait(0.05)\n"
        "    print(pdf_worker._child.process.pid, flush=True)\n"
        "    threading.Event().wait(3600)\n")
    app = subprocess.Popen([sys.executable, str(script), str(source)], stdout=subprocess.PIPE,
                           text=True, cwd=os.getcwd())
    try:
        child = int(app.stdout.readline())
        time.sleep(0.5)  # the child is now inside PDFium
        os.kill(child, 0)
        app.kill()
        app.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _ended(child):
                break
            time.sleep(0.1)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the PDFium child outlived the app")
    finally:
        if app.poll() is None:
            app.kill()


def test_shutdown_does_not_wait_for_a_page_being_drawn(heavy, letter):
    """Quitting the app mid-page must not wait out the page's time limit."""
    load_pdf_picture(letter, dpi=36)
    errors: list = []

    def draw() -> None:
        try:
            load_pdf_picture(heavy, time_limit=60.0)
        except ImageError as error:
            errors.append(error)

    drawing = threading.Thread(target=draw, daemon=True)
    drawing.start()
    time.sleep(0.5)
    started = time.monotonic()
    pdf_worker.shutdown()
    drawing.join(timeout=10)
    assert time.monotonic() - started < 8.0 and not drawing.is_alive()
    assert len(errors) == 1 and child_pid() is None


def _ended(pid: int) -> bool:
    """Gone, or a zombie waiting for an init that does not reap (as in some containers)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
