"""Uncompressed grey frames read straight from the file, then corrected, measured and
windowed in one pass.

For the uncompressed transfer syntaxes the Pixel Data value *is* the samples, one frame after
another. pydicom reads the header and leaves that value in the file (``defer_size``); a
frame is read from its offset in one read and then worked on a cache-sized strip at a time.
While a strip is in cache it is byte-swapped if the file is big-endian, corrected as
pydicom's decoder corrects it (bits above High Bit shifted out: cleared, or the sign
extended; only in strips that carry such bits), measured (smallest and largest sample) and,
when the window is known, looked up in the window table. So the stored samples equal
pydicom's ``pixel_array`` and the grey equals the table applied to them
(tests/imaging/test_dicom_direct.py holds them side by side), without pydicom's copy of the
whole frame and its extra passes.

Anything else (compressed, bit-packed, several samples per pixel, float samples, a value
length that does not add up) is not taken: ``native_frames`` returns None and pydicom
decodes, as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from medsnap.imaging.dicom_window import look_up, strip_rows, strips

#: Element values longer than this stay in the file until used; the Pixel Data of any
#: image worth streaming is longer, the rest of a header (overlays included) rarely is.
DEFER_BYTES = 1 << 20

_BYTE_ORDER = {ExplicitVRLittleEndian: "<", ImplicitVRLittleEndian: "<", ExplicitVRBigEndian: ">"}
_PIXEL_DATA = 0x7FE00010
_UNDEFINED_LENGTH = 0xFFFFFFFF


class SourceChanged(Exception):
    """The file was replaced or changed on disk after its header was read."""


@dataclass(frozen=True)
class NativeFrames:
    """Where a file's uncompressed grey frames lie and how their samples are stored."""

    source: str | bytes            # the file's path, or its bytes (or the Pixel Data value)
    offset: int                    # where frame 0's first sample starts in ``source``
    dtype: np.dtype                # one sample in memory (native byte order)
    big_endian: bool               # the file's samples are big-endian
    unused_bits: int               # Bits Allocated - Bits Stored: high bits not in the value
    rows: int
    columns: int
    stamp: tuple[int, int] | None  # a path's size and modification time when it was read

    @property
    def lowest(self) -> int:
        """The smallest value Bits Stored can hold (samples below it carry foreign bits)."""
        bits = self.dtype.itemsize * 8 - self.unused_bits
        return -(1 << (bits - 1)) if self.dtype.kind == "i" else 0

    @property
    def highest(self) -> int:
        bits = self.dtype.itemsize * 8 - self.unused_bits
        return (1 << (bits - 1)) - 1 if self.dtype.kind == "i" else (1 << bits) - 1

    def read(self, frame: int, table: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
        """Frame ``frame``'s samples, their grey through ``table`` (None: not looked up) and
        the smallest and largest sample. Raises OSError, EOFError (the file ends before the
        frame does) and SourceChanged."""
        if self.stamp is not None and _stamp(self.source) != self.stamp:
            raise SourceChanged(self.source)
        stored = np.empty((self.rows, self.columns), self.dtype)
        _copy_into(stored, self.source, self.offset + frame * stored.nbytes)
        grey = None if table is None else np.empty(stored.shape, np.uint8)
        wide = None if table is None else np.empty((strip_rows(self.columns), self.columns),
                                                   np.intp)
        lowest, highest = self.lowest, self.highest
        low, high = highest, lowest
        for top, bottom in strips(self.rows, self.columns):
            part = stored[top:bottom]
            if self.big_endian:
                part.byteswap(inplace=True)
            smallest, largest = int(part.min()), int(part.max())
            if smallest < lowest or largest > highest:
                # bits above High Bit that are not the value's: as pydicom does, shift them
                # out and back (clears them, or extends the sign)
                np.left_shift(part, self.unused_bits, out=part)
                np.right_shift(part, self.unused_bits, out=part)
                smallest, largest = int(part.min()), int(part.max())
            low, high = min(low, smallest), max(high, largest)
            if grey is not None:
                look_up(part, table, wide, grey[top:bottom])
        return stored, grey, (low, high)


def _copy_into(samples: np.ndarray, source: str | bytes, start: int) -> None:
    """Fill ``samples`` with the bytes of ``source`` (a path or bytes) from ``start``: one
    read of the whole frame (measured: steadier under load than a read per strip)."""
    target = memoryview(samples).cast("B")
    if isinstance(source, bytes):
        chunk = memoryview(source)[start:start + len(target)]
        if len(chunk) < len(target):
            raise EOFError("pixel data ends early")
        target[:] = chunk
        return
    with open(source, "rb", buffering=0) as file:
        done = 0
        while done < len(target):
            count = _read_at(file, target[done:], start + done)
            if not count:
                raise EOFError("pixel data ends early")
            done += count


def _read_at(file, into: memoryview, offset: int) -> int:
    """One positioned read (a single system call where the platform has one)."""
    if hasattr(os, "preadv"):
        return os.preadv(file.fileno(), [into], offset)
    file.seek(offset)
    return file.readinto(into)


def _stamp(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def native_frames(ds, origin: str | bytes, rows: int, columns: int,
                  frame_count: int) -> NativeFrames | None:
    """How to read ``ds``'s frames straight from ``origin`` (the path or the bytes pydicom
    read), or None when pydicom must decode them."""
    order = _BYTE_ORDER.get(ds.file_meta.TransferSyntaxUID)
    try:
        bits = int(ds.BitsAllocated)
        bits_stored = int(getattr(ds, "BitsStored", bits) or bits)
        signed = int(getattr(ds, "PixelRepresentation", 0) or 0) == 1
        single = int(getattr(ds, "SamplesPerPixel", 1) or 1) == 1
    except (AttributeError, TypeError, ValueError):
        return None
    if order is None or bits not in (8, 16) or not single or not 0 < bits_stored <= bits:
        return None
    element = ds.get_item(_PIXEL_DATA, keep_deferred=True)
    if element is None:
        return None
    dtype = np.dtype(f"{'i' if signed else 'u'}{bits // 8}")
    needed = frame_count * rows * columns * dtype.itemsize
    common = dict(dtype=dtype, big_endian=order == ">" and bits > 8,
                  unused_bits=bits - bits_stored, rows=rows, columns=columns)
    if element.value is not None:  # small enough to have been read with the header
        value = element.value
        if not isinstance(value, bytes) or len(value) < needed:
            return None
        return NativeFrames(source=value, offset=0, stamp=None, **common)
    length, offset = getattr(element, "length", None), getattr(element, "value_tell", None)
    if length in (None, _UNDEFINED_LENGTH) or offset is None or length < needed:
        return None
    if isinstance(origin, bytes):
        size, stamp = len(origin), None
    else:
        try:
            stamp = _stamp(origin)
        except OSError:  # gone already: pydicom's decoder says so
            return None
        size = stamp[0]
    if size < offset + needed:  # cut short: pydicom's decoder says how it is damaged
        return None
    return NativeFrames(source=origin, offset=offset, stamp=stamp, **common)
