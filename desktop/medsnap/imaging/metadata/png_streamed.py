"""The PNG image-data check, run while our own writer (png_writer) writes instead of after.

``verify_clean`` proves that a PNG's compressed stream holds exactly the picture by inflating
every IDAT byte (png_pixels.IdatCheck): nothing after the end of the zlib stream, no more
scanline bytes than the header needs. That is ~50 ms for a 12-megapixel picture. For a PNG
that png_writer is producing, the same check runs on a thread of its own while the later
rows are still being filtered and deflated (inflate and deflate both release the GIL), so it
is done by the time the file is.

Nothing is taken on trust from the writer. The verifier still walks the finished file (chunk
kinds, every CRC, bytes after IEND), and accepts the streamed result only if the file's IHDR
is byte for byte the header the stream was sized by, and the file's IDAT bodies, joined, are
byte for byte the stream that was inflated; otherwise the file is refused as damaged. Any
other PNG, and every PNG read back elsewhere (``find_metadata``, ``compose``), is inflated
after the fact as before.
"""

from __future__ import annotations

import queue
import threading

from medsnap.imaging.metadata.items import Damaged, Findings
from medsnap.imaging.metadata.png_pixels import IdatCheck, expected_size

_WHERE = "PNG image data (IDAT)"


class StreamedIdat:
    """The writer calls ``begin(ihdr)``, ``feed(piece)`` for each piece of the compressed
    stream in order, then ``end()`` (also when it fails); the verifier calls ``result``."""

    def __init__(self) -> None:
        self._pieces: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._header = b""
        self._seen: list[bytes] = []
        self._check: IdatCheck | None = None
        self._error: Damaged | None = None

    # the writer's side -----------------------------------------------------------------
    def begin(self, ihdr: bytes) -> None:
        self._header = bytes(ihdr)
        self._thread = threading.Thread(target=self._inflate, daemon=True,
                                        name="png-idat-check")
        self._thread.start()

    def feed(self, piece: bytes) -> None:
        self._pieces.put(bytes(piece))

    def end(self) -> None:
        self._pieces.put(None)

    def _inflate(self) -> None:
        seen: list[bytes] = []
        check: IdatCheck | None = None
        try:
            check = IdatCheck(expected_size(self._header, "PNG chunk IHDR")[0])
        except Damaged as damage:
            self._error = damage
        while (piece := self._pieces.get()) is not None:  # drained to the end, even if damaged
            if piece:
                seen.append(piece)
            if check is not None and self._error is None:
                try:
                    check.feed(piece, _WHERE)
                except Damaged as damage:
                    self._error = damage
        self._seen, self._check = seen, check

    # the verifier's side ---------------------------------------------------------------
    def result(self, ihdr: bytes | memoryview, idat_bodies: list[memoryview],
               findings: Findings) -> None:
        """Report what the streamed check found, if these are the bytes it checked."""
        if self._thread is None:
            raise Damaged(_WHERE, "the image data was never checked as it was written")
        self._thread.join()
        if bytes(ihdr) != self._header:
            raise Damaged("PNG chunk IHDR", "the image header is not the one the image data "
                          "was checked against")
        if not self._is_stream(idat_bodies):
            raise Damaged(_WHERE, "the image data in the file is not the data that was checked")
        if self._error is not None:
            raise self._error
        assert self._check is not None
        self._check.finish(findings, _WHERE)

    def _is_stream(self, bodies: list[memoryview]) -> bool:
        """The bodies, one after the other, are exactly the pieces that were checked, one
        after the other (compared in place, wherever the two are cut: ``startswith`` is a
        memcmp, and neither side is joined into a copy)."""
        pieces, index, offset = self._seen, 0, 0
        for body in bodies:
            view = memoryview(body)
            while view:
                if index == len(pieces):
                    return False  # the file holds more than was checked
                piece = pieces[index]
                length = min(len(view), len(piece) - offset)
                if not piece.startswith(view[:length], offset):
                    return False
                view, offset = view[length:], offset + length
                if offset == len(piece):
                    index, offset = index + 1, 0
        return index == len(pieces)
