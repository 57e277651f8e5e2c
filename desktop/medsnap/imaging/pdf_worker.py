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
nothing was changed. Calls are serialised (one PDFium user at a time, as PDFium needs).

Pixels: PDFium draws straight into shared memory the caller created, which copies them out
once (as it would from PDFium's own buffer). The segment's name is removed as soon as the
child has attached, so no named object holds pixels; a page larger than the segment comes
back over the pipe once and the segment grows for the next. Nothing is written to disk.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import threading
from multiprocessing.shared_memory import SharedMemory

from PIL import Image

from medsnap.errors import ImageError
from medsnap.imaging.record_errors import PageTooComplex, PdfPasswordRequired, WrongPdfPassword

#: seconds a page may take to open at the chosen resolution; a thumbnail gets less
PAGE_TIME_LIMIT = 30.0
THUMBNAIL_TIME_LIMIT = 5.0
#: seconds the child may take to start (import Python, Pillow and PDFium), not counted above
START_TIME_LIMIT = 60.0
#: bytes of the first shared segment: an A4 or Letter page at 200 dpi in RGB fits
_FIRST_SEGMENT = 16 << 20
_ERRORS = {kind.__name__: kind for kind in (ImageError, PdfPasswordRequired, WrongPdfPassword)}


class _Overrun(Exception):
    pass


class _Child:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs,), name="medsnap-pdfium",
                                       daemon=True)
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
                return _image(width, height, stride, rows), info
        self.wanted = max(self.wanted, stride * height)
        return _image(width, height, stride, self.connection.recv_bytes()), info

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
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()
        self._drop_segment()


def _image(width: int, height: int, stride: int, rows) -> Image.Image:
    # RGB rows as PDFium drew them; Pillow copies them into its own layout
    return Image.frombuffer("RGB", (width, height), rows, "raw", "RGB", stride, 1)


_lock = threading.Lock()
_child: _Child | None = None


def ask(kind: str, arguments: dict, time_limit: float, too_complex: str):
    """(image, info) for ("page" | "thumbnail", arguments), drawn by the child.

    Raises PageTooComplex (message ``too_complex``) when the time runs out, the typed
    error the child raised (ImageError, PdfPasswordRequired, WrongPdfPassword), or an
    ImageError when the child died.
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
            raise PageTooComplex(too_complex) from None
        except (EOFError, OSError):
            _stop()
            raise ImageError("PDFium stopped unexpectedly while drawing the page (the PDF "
                             "may be damaged or need more memory than is free). The "
                             "original file was not changed and nothing was exported. Try "
                             "a lower resolution, or ask for a fresh copy.") from None


def _stop() -> None:
    global _child
    if _child is not None:
        _child.stop()
        _child = None


def shutdown() -> None:
    """Stop the child (at exit, or when a test wants a fresh one) without waiting for a
    page being drawn: a call in flight sees the pipe close and gives up at once."""
    child = _child
    if child is not None and child.process.is_alive():
        child.process.kill()
    with _lock:
        _stop()


atexit.register(shutdown)


class _SharedPixels:
    """In the child: the caller's segment, and bitmaps drawn into it when they fit."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.memory: SharedMemory | None = None
        self.array = None

    def use(self, name: str, size: int) -> None:
        if name == self.name:
            return
        self.array = None  # the ctypes view must go before the mapping can close
        if self.memory is not None:
            self.memory.close()
        self.memory = SharedMemory(name=name)
        self.array = (ctypes.c_ubyte * size).from_buffer(self.memory.buf)
        self.name = name

    def maker(self, width: int, height: int, format: int, rev_byteorder: bool = False):
        import pypdfium2 as pdfium
        import pypdfium2.internal as pdfium_internal

        stride = width * pdfium_internal.BitmapTypeToNChannels[format]
        if self.array is not None and stride * height <= len(self.array):
            return pdfium.PdfBitmap.new_native(width, height, format, rev_byteorder,
                                               buffer=self.array, stride=stride)
        return pdfium.PdfBitmap.new_native(width, height, format, rev_byteorder)

    def keep(self, bitmap) -> tuple:
        shared = bitmap.buffer is self.array
        return ("shared" if shared else "pipe", bitmap.width, bitmap.height, bitmap.stride,
                None if shared else bytes(bitmap.buffer))


def _exit_with_parent() -> None:
    """If the app dies (killed, crashed) while a page is being drawn, the child must not
    draw on for hours: a watcher thread ends it (PDFium releases the GIL while it works)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="medsnap-pdfium-parent", daemon=True).start()


def serve(connection) -> None:
    """The child: answer ("page" | "thumbnail", arguments, segment) until the pipe closes."""
    from medsnap.imaging import pdf

    _exit_with_parent()
    pixels = _SharedPixels()
    handlers = {"page": pdf.render_page_here, "thumbnail": pdf.render_thumbnail_here}
    connection.send(("ready",))
    while True:
        try:
            kind, arguments, name, size = connection.recv()
        except (EOFError, OSError):
            return
        try:
            pixels.use(name, size)
            (how, width, height, stride, data), info = handlers[kind](
                **arguments, keep=pixels.keep, maker=pixels.maker)
        except ImageError as error:
            connection.send(("error", type(error).__name__, error.message))
            continue
        except Exception as error:  # noqa: BLE001 - the parent needs words, not a traceback
            connection.send(("error", "ImageError", "The page could not be drawn "
                             f"({type(error).__name__}). The original file was not changed "
                             "and nothing was exported. Ask for a fresh copy."))
            continue
        connection.send((how, width, height, stride, info))
        if data is not None:
            connection.send_bytes(data)
