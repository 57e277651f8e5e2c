"""Decrypt a letter and parse its archive in one pass, holding one copy of each member.

Chunks are decrypted straight into the member they belong to when they lie inside its data
(the image, for all but its first and last chunk), else into a small scratch buffer that the
strict archive reader copies from. Only authenticated chunks reach the archive reader. Each
member is hashed while its chunk is still in cache. An archive rule broken early is reported
only after the whole payload authenticated, so a damaged file is reported as damaged exactly as
when the archive was parsed after decryption.
"""

from __future__ import annotations

from collections.abc import Mapping

from medsnap.crypto.age.api import Identity, open_payload
from medsnap.crypto.age.stream import CHUNK, decrypt_into, plain_size
from medsnap.crypto.archive import ArchiveError, ArchiveReader, Member


class _ArchiveSink:
    """Receives authenticated plaintext chunks for an :class:`ArchiveReader`."""

    def __init__(self, reader: ArchiveReader):
        self.reader = reader
        self.scratch = memoryview(bytearray(CHUNK))
        self.in_place = False
        self.error: ArchiveError | None = None

    def target(self, offset: int, size: int) -> memoryview:
        place = self.reader.direct(offset, size) if self.error is None else None
        self.in_place = place is not None
        return place if place is not None else self.scratch[:size]

    def accept(self, offset: int, size: int) -> None:
        if self.error is not None:
            return  # the archive is already refused: nothing more is parsed
        try:
            if self.in_place:
                self.reader.wrote_direct(size)
            else:
                self.reader.feed(self.scratch[:size])
        except ArchiveError as exc:
            self.error = exc


def unpack(data: bytes, identities: list[Identity],
           limits: Mapping[str, int]) -> list[Member]:
    """The archive's members (each with its SHA-256) from the binary age file ``data``.

    Raises the age errors of ``age.decrypt`` first, then the archive's :class:`ArchiveError`.
    """
    file_key, nonce, payload = open_payload(data, identities)
    reader = ArchiveReader(plain_size(len(payload)), limits, hashed=True)
    sink = _ArchiveSink(reader)
    decrypt_into(payload, file_key, nonce, sink)
    if sink.error is not None:
        raise sink.error
    return reader.finish()
