"""PDF page work that may never end runs in a child process that can be stopped.

PDFium cannot be interrupted inside a call, and its progressive renderer only pauses
between page objects: a page of forms nested in forms, each drawing the next twice, is a
few kilobytes and takes hours to parse and draw (and gigabytes on the way); one path of a
million segments takes seconds inside a single object. In-process, such a page would hold
the calling thread and the PDFium lock until it is done.

So parsing and drawing pages happens in one long-lived child process (started on first
use, about 0.2 s; ``multiprocessing`` spawn, so it works in the frozen Windows app too, with
``freeze_support`` at the entry points; a script that imports medsnap needs the usual
``if __name__ == "__main__"`` guard). The caller waits at most its time limit; then the
child is killed, the next call starts a fresh one, and the caller gets ``PageTooComplex``:
nothing was changed. The child also ends itself past MEMORY_LIMIT (same error) or when the
app dies (pdf_child). Calls are serialised (one PDFium user at a time, as PDFium needs).

Pixels: PDFium draws straight into shared memory the caller created, which copies them out
once (as it would from PDFium's own buffer). The segment's name is removed as soon as the
child has attached, so no named object holds pixels; a page larger than the segment comes
back over the pipe once and the segment grows for the next. Nothing is written to disk.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from multiprocessing.shared_memory import SharedMemory

from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging.pdf_child import OUT_OF_MEMORY_EXIT, serve
from medsnap.imaging.record_errors import (NoSuchPage, PageTooComplex, PdfPasswordRequired,
                                            WrongPdfPassword)

#: seconds a page may take to open at the chosen resolution; a thumbnail gets less
PAGE_TIME_LIMIT = 30.0
THUMBNAIL_TIME_LIMIT = 5.0
#: seconds the child may take to start (import Python, Pillow and PDFium), not counted above
START_TIME_LIMIT = 60.0
#: bytes the child may hold: a 100-megapixel page and PDFium's own work fit well within it;
#: a page of nested forms grows by about 250 MB a second and is stopped here
MEMORY_LIMIT = 2 << 30
#: bytes of the first shared segment: an A4 or Letter page at 200 dpi in RGBx fits
_FIRST_SEGMENT = 16 << 20
_ERRORS = {kind.__name__: kind for kind in (ImageError, PdfPasswordRequired, WrongPdfPassword,
                                            NoSuchPage)}


class _Overrun(Exception):
    pass


class _Child:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs, MEMORY_LIMIT),
                                       name="medsnap-pdfium", daemon=True)
        self.segment: SharedMemory | None = None
        self.named = False  # the segment's name still exists (the child has not attached)
        self.wanted = _FIRST_SEGMENT
        self.process.start()
        theirs.close()

    def wait_ready(self) -> None:
        """Until the child has imported Python, Pillow and PDFium: not on the clock."""
        if not self.connection.poll(START_TIME_LIMIT):
            raise EOFError("the PDFium child did not start")  # not the page's fault
        self.connection.recv()

    def ask(self, kind: str, arguments: dict, time_limit: float):
        segment = self._segment()
        self.connection.send((kind, arguments, segment.name, segment.size))
        if not self.connection.poll(time_limit):
            raise _Overrun
        reply = self.connection.recv()
        self._unname()  # the child attached before doing anything else
        if reply[0] == "error":
            raise _ERRORS.get(reply[1], ImageError)(reply[2])
        how, width, height, stride, info = reply
        if how == "shared":
            with segment.buf[:stride * height] as rows:
                return rgb_image(width, height, stride, rows), info
        self.wanted = max(self.wanted, stride * height)
        return rgb_image(width, height, stride, self.connection.recv_bytes()), info

    def _segment(self) -> SharedMemory:
        if self.segment is None or self.segment.size < self.wanted:
            self._drop_segment()
            self.segment = SharedMemory(create=True, size=self.wanted)
            self.named = True
        return self.segment

    def _unname(self) -> None:
        if self.named and self.segment is not None:
            self.segment.unlink()
            self.named = False

    def _drop_segment(self) -> None:
        if self.segment is not None:
            self._unname()
            self.segment.close()
            self.segment = None

    def stop(self) -> None:
        self.process.join(0.5)  # a child that ended itself says why in its exit code
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()
        self._drop_segment()


def rgb_image(width: int, height: int, stride: int, rows) -> Image.Image:
    """An RGB image of PDFium's RGBx rows: one plain copy (Pillow keeps RGB as RGBx too).

    The fourth byte is copied as it is: PDFium's opaque RGBx device leaves the 0xFF of the
    white fill there, the padding Qt's RGBX8888 needs (tests check every kind of content).
    """
    return Image.frombytes("RGB", (width, height), rows, "raw", "RGBX", stride, 1)


_lock = threading.Lock()
_child: _Child | None = None


_SIMPLER = ("Nothing was changed. Open another page, or ask the sender for a simpler copy "
            "of this one (for example printed to a new PDF, or scanned).")


def ask(kind: str, arguments: dict, time_limit: float, what: str):
    """(image, info) for ("page" | "thumbnail", arguments), drawn by the child.

    ``what`` names the page in messages ("Page 2 of the PDF 'letter.pdf'"). Raises
    PageTooComplex when the time or memory runs out, the typed error the child raised
    (ImageError, PdfPasswordRequired, WrongPdfPassword), or an ImageError when the child
    died otherwise.
    """
    global _child
    with _lock:
        try:
            if _child is None or not _child.process.is_alive():
                _stop()
                _child = _Child()  # visible to shutdown() while it starts
                _child.wait_ready()
            return _child.ask(kind, arguments, time_limit)
        except _Overrun:
            _stop()
            seconds = f"{time_limit:g} second{'' if time_limit == 1 else 's'}"
            raise PageTooComplex(f"{what} is too complex to show: it was still being drawn "
                                 f"after {seconds}, so MedSnap stopped. {_SIMPLER}") from None
        except (EOFError, OSError):
            exit_code = _stop()
            if exit_code == OUT_OF_MEMORY_EXIT:
                raise PageTooComplex(f"{what} is too complex to show: drawing it needed more "
                                     f"than {MEMORY_LIMIT / (1 << 30):g} GB of memory, so "
                                     f"MedSnap stopped. {_SIMPLER}") from None
            raise ImageError(f"{what} could not be drawn: PDFium stopped unexpectedly (the "
                             "page may be damaged). Nothing was changed. Ask for a fresh "
                             "copy, or try a lower resolution.") from None


def _stop() -> int | None:
    """Stop the child; its exit code (None if there was none)."""
    global _child
    if _child is None:
        return None
    _child.stop()
    exit_code, _child = _child.process.exitcode, None
    return exit_code


def shutdown() -> None:
    """Stop the child (at exit, or when a test wants a fresh one) without waiting for a
    page being drawn: a call in flight sees the pipe close and gives up at once."""
    child = _child
    if child is not None and child.process.is_alive():
        child.process.kill()
    with _lock:
        _stop()


atexit.register(shutdown)
