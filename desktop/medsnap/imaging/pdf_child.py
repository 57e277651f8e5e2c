"""The PDFium child's side (see pdf_worker): draw pages on request, into shared memory.

It watches two things from a thread while PDFium works (PDFium releases the GIL): the app
(if the app dies, a page of nested forms must not be drawn on for hours) and its own memory
(such a page grows by about 250 MB a second; past the limit the child ends itself with
OUT_OF_MEMORY_EXIT, which the app reports as a page too complex to show).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import sys
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.shared_memory import SharedMemory

from medsnap.errors import ImageError

OUT_OF_MEMORY_EXIT = 75
_WATCH_SECONDS = 0.05


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

    def release(self) -> None:
        """Unmap the segment, the ctypes view first: left to the interpreter's exit, the
        mapping can be closed while the view still exports it, and Python prints a
        BufferError on the clinician's terminal."""
        self.array = None
        if self.memory is not None:
            self.memory.close()
            self.memory, self.name = None, None

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


def resident_bytes() -> int:
    """This process's memory in use (resident set; on Windows the working set)."""
    if sys.platform == "win32":
        return _windows_working_set()
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # not Linux: the peak is as good a signal
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class _MemoryCounters(ctypes.Structure):
    _fields_ = [("cb", ctypes.c_ulong), ("PageFaultCount", ctypes.c_ulong)] + [
        (name, ctypes.c_size_t) for name in (
            "PeakWorkingSetSize", "WorkingSetSize", "QuotaPeakPagedPoolUsage",
            "QuotaPagedPoolUsage", "QuotaPeakNonPagedPoolUsage", "QuotaNonPagedPoolUsage",
            "PagefileUsage", "PeakPagefileUsage")]


def _windows_working_set() -> int:
    kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
    psapi = ctypes.WinDLL("psapi")  # type: ignore[attr-defined]
    kernel32.GetCurrentProcess.restype = ctypes.c_void_p
    psapi.GetProcessMemoryInfo.argtypes = [ctypes.c_void_p, ctypes.POINTER(_MemoryCounters),
                                           ctypes.c_ulong]
    counters = _MemoryCounters()
    counters.cb = ctypes.sizeof(counters)
    if not psapi.GetProcessMemoryInfo(kernel32.GetCurrentProcess(), ctypes.byref(counters),
                                      counters.cb):
        return 0
    return counters.WorkingSetSize


def _watch(memory_limit: int) -> None:
    """End this process when the app has gone, or when it holds more than the limit."""
    parent = multiprocessing.parent_process()

    def watch() -> None:
        while True:
            if parent is None:
                time.sleep(_WATCH_SECONDS)
            elif wait([parent.sentinel], timeout=_WATCH_SECONDS):
                os._exit(0)
            if resident_bytes() > memory_limit:
                os._exit(OUT_OF_MEMORY_EXIT)

    threading.Thread(target=watch, name="medsnap-pdfium-watch", daemon=True).start()


def serve(connection, memory_limit: int) -> None:
    """The child: answer ("page" | "thumbnail", arguments, segment) until the pipe closes."""
    from medsnap.imaging import pdf

    _watch(memory_limit)
    pixels = _SharedPixels()
    handlers = {"page": pdf.render_page_here, "thumbnail": pdf.render_thumbnail_here}
    connection.send(("ready",))
    while True:
        try:
            kind, arguments, name, size = connection.recv()
        except (EOFError, OSError):  # the parent is gone (it may end without stopping us)
            pixels.release()
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
                             "and nothing was sent or saved from it. Ask for a fresh copy."))
            continue
        connection.send((how, width, height, stride, info))
        if data is not None:
            connection.send_bytes(data)
