"""Uncompressed grey frames read straight from the file, with no decoder.

For the uncompressed transfer syntaxes the Pixel Data value *is* the samples, one frame after
another. pydicom reads the header and leaves that value in the file (``defer_size``). A frame
is read from its offset, byte-swapped if the file is big-endian, either:

- whole, in one read into the array that keeps it (``read``), then measured (smallest and
  largest sample) and corrected as pydicom's decoder corrects it only when the measure shows
  bits above High Bit that are not the value's (shifted out: cleared, or the sign
  extended). So the kept samples equal pydicom's ``pixel_array``
  (tests/imaging/test_dicom_direct.py holds them side by side) without pydicom's second
  copy of the frame and its two passes over it;
- or strip by strip into one small buffer, when it is looked at once through a window table
  that ignores the bits above High Bit itself (``strips``): nothing frame-sized is filled
  and read back, nothing is measured or corrected.

Anything else (compressed, bit-packed, several samples per pixel, float samples, a value
length that does not add up) is not taken: ``native_frames`` returns None and pydicom
decodes, as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

#: Element values longer than this stay in the file until used: the Pixel Data of any image
#: whose read time matters is longer; the rest of a header (overlays included) rarely is.
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
        """The largest value Bits Stored can hold."""
        bits = self.dtype.itemsize * 8 - self.unused_bits
        return (1 << (bits - 1)) - 1 if self.dtype.kind == "i" else (1 << bits) - 1

    def read(self, frame: int) -> tuple[np.ndarray, tuple[int, int]]:
        """Frame ``frame``'s samples and the smallest and largest of them. Raises OSError,
        EOFError (the file ends before the frame does) and SourceChanged."""
        self._check_unchanged()
        stored = np.empty((self.rows, self.columns), self.dtype)
        _copy_into(stored, self.source, self._start(frame))
        if self.big_endian:
            stored.byteswap(inplace=True)
        return stored, self._corrected(stored)

    def strips(self, frame: int, rows: int, first: int = 0,
               stop: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """Frame ``frame`` ``rows`` rows at a time: (first row, samples), each strip read into
        the same small buffer (it stays in cache, and no frame-sized array is filled only to
        be thrown away) and put in native byte order, but neither measured nor corrected:
        bits above High Bit may still be foreign, for a table that ignores them
        (dicom_window.stored_table). A strip is only valid until the next one is read.
        ``first``/``stop``: only those rows (two threads each take a part). Raises as
        ``read`` does."""
        self._check_unchanged()
        stop = self.rows if stop is None else min(stop, self.rows)
        buffer = np.empty((min(rows, self.rows), self.columns), self.dtype)
        raw = memoryview(buffer).cast("B")
        row_bytes, start = self.columns * self.dtype.itemsize, self._start(frame)
        with _Reader(self.source) as reader:
            for top in range(first, stop, rows):
                count = min(rows, stop - top)
                reader.fill(raw[:count * row_bytes], start + top * row_bytes)
                samples = buffer[:count]
                if self.big_endian:
                    samples.byteswap(inplace=True)
                yield top, samples

    def _check_unchanged(self) -> None:
        if self.stamp is not None and _stamp(self.source) != self.stamp:
            raise SourceChanged(self.source)

    def _start(self, frame: int) -> int:
        return self.offset + frame * self.rows * self.columns * self.dtype.itemsize

    def _corrected(self, samples: np.ndarray) -> tuple[int, int]:
        """Clear or sign-extend foreign bits above High Bit in ``samples`` as pydicom does, and
        return their smallest and largest."""
        low, high = int(samples.min()), int(samples.max())
        if low < self.lowest or high > self.highest:
            # bits above High Bit that are not the value's: as pydicom does, shift them out
            # and back (clears them, or extends the sign)
            np.left_shift(samples, self.unused_bits, out=samples)
            np.right_shift(samples, self.unused_bits, out=samples)
            low, high = int(samples.min()), int(samples.max())
        return low, high


class _Reader:
    """Positioned reads from a path (one open file for all of them) or from bytes."""

    def __init__(self, source: str | bytes):
        self._source = source
        self._file = None

    def __enter__(self) -> _Reader:
        if not isinstance(self._source, bytes):
            self._file = open(self._source, "rb", buffering=0)
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()

    def fill(self, target: memoryview, start: int) -> None:
        """Fill ``target`` (bytes) with the source's bytes from ``start``. Raises EOFError."""
        if self._file is None:
            chunk = memoryview(self._source)[start:start + len(target)]
            if len(chunk) < len(target):
                raise EOFError("pixel data ends early")
            target[:] = chunk
            return
        done = 0
        while done < len(target):
            count = _read_at(self._file, target[done:] if done else target, start + done)
            if not count:
                raise EOFError("pixel data ends early")
            done += count


def _copy_into(samples: np.ndarray, source: str | bytes, start: int) -> None:
    """Fill ``samples`` with the bytes of ``source`` (a path or bytes) from ``start``: one
    read of the whole frame (measured: steadier under load than a read per strip into it)."""
    with _Reader(source) as reader:
        reader.fill(memoryview(samples).cast("B"), start)


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
