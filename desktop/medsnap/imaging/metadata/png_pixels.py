"""PNG image data check: the compressed pixel stream holds exactly the picture, nothing more.

Bytes after the end of the zlib stream, or more scanline bytes than the header's size
needs, are places to hide data inside IDAT itself. Inflating is streamed in bounded steps
and stops as soon as the output exceeds what the header allows (no zip bomb).
"""

from __future__ import annotations

import zlib

from medsnap.imaging.metadata import items as k
from medsnap.imaging.metadata.items import Damaged, Findings, unpack

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # x0, y0, dx, dy of each interlace pass
_STEP = 1 << 20


def _row_bytes(width: int, bits_per_pixel: int) -> int:
    return (width * bits_per_pixel + 7) // 8


def expected_size(ihdr: bytes, where: str) -> tuple[int, int]:
    """(inflated byte count the header implies, colour type)."""
    width, height, depth, colour, _, _, interlace = unpack(">IIBBBBB", ihdr, 0, where)
    if colour not in _CHANNELS or width == 0 or height == 0:
        raise Damaged(where, "IHDR describes no valid picture")
    bpp = depth * _CHANNELS[colour]
    if not interlace:
        return height * (1 + _row_bytes(width, bpp)), colour
    total = 0
    for x0, y0, dx, dy in _ADAM7:
        pass_w, pass_h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if pass_w > 0 and pass_h > 0:
            total += pass_h * (1 + _row_bytes(pass_w, bpp))
    return total, colour


class IdatCheck:
    """Feed IDAT bodies in order; ``finish`` reports anything beyond the picture's pixels."""

    def __init__(self, expected: int):
        self.expected = expected
        self.inflated = 0
        self.extra_compressed = 0
        self.overflow = False
        self._stream = zlib.decompressobj()

    def feed(self, body: bytes, where: str) -> None:
        if self.overflow:
            return
        if self._stream.eof:
            self.extra_compressed += len(body)
            return
        pending = body
        while pending and not self.overflow:
            try:
                out = self._stream.decompress(pending, _STEP)
            except zlib.error as error:
                raise Damaged(where, f"compressed image data is corrupt ({error})") from None
            self.inflated += len(out)
            self.overflow = self.inflated > self.expected
            pending = self._stream.unconsumed_tail
            if self._stream.eof:
                self.extra_compressed += len(self._stream.unused_data)
                break

    def finish(self, findings: Findings, where: str) -> None:
        if self.overflow:
            findings.add(where, k.HIDDEN, "the image data holds more bytes than the picture "
                         f"needs ({self.expected} expected)")
        elif not self._stream.eof:
            raise Damaged(where, "the compressed image data ends early (truncated)")
        elif self.inflated < self.expected:
            raise Damaged(where, f"the image data is short: {self.inflated} of "
                          f"{self.expected} bytes")
        if self.extra_compressed:
            findings.add(where, k.HIDDEN, f"{self.extra_compressed} bytes after the end of "
                         "the compressed image data")
