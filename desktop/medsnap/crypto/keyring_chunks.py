"""Store a blob of bytes in the OS keyring as numbered chunks under one index entry.

Windows Credential Manager holds at most 2560 bytes per credential (1280 UTF-16 characters),
and a wrapped key file is larger, so on every platform the blob is stored the same way:

    username NAME            index, JSON: {"v": 1, "gen": G, "chunks": N, "bytes": B,
                                           "sha256": "<hex of the whole blob>"}
    username NAME#G.1 .. N   base64 of the blob, at most CHUNK_CHARACTERS characters each

Replacing is atomic enough: the new generation's chunks are written and read back first,
then the index (one keyring write) switches to them, then the old generation is deleted.
A crash before the index write leaves the old blob intact; after it, only stale chunks.
Reading checks the count, every chunk and the SHA-256 of the whole.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

from medsnap.errors import CryptoError

CHUNK_CHARACTERS = 1000  # below Windows' 1280-character limit with room to spare
INDEX_VERSION = 1
MAX_CHUNKS = 512
MAX_STALE_PROBE = 64  # how far past the known chunks a cleanup looks for leftovers

log = logging.getLogger(__name__)
T = TypeVar("T")


class BackendFailed(CryptoError):
    """The keyring backend raised; ``detail`` names what it said."""

    def __init__(self, detail: str, locked: bool = False, missing: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.locked = locked  # the keyring exists but is locked (no unlock prompt possible)
        self.missing = missing  # no keyring service at all for this login


class BlobDamaged(CryptoError):
    """The stored chunks do not add up to the blob the index describes."""


class BlobNotSaved(CryptoError):
    """What was written did not read back the same; the previous blob is untouched."""


class Index(NamedTuple):
    generation: int
    chunks: int
    size: int
    sha256: str


def chunk_username(name: str, generation: int, number: int) -> str:
    return f"{name}#{generation}.{number}"


class ChunkedKeyringEntry:
    """One named blob in one keyring service."""

    def __init__(self, backend: KeyringBackend, service: str, name: str):
        self.backend = backend
        self.service = service
        self.name = name

    # --- reading -----------------------------------------------------------------------
    def exists(self) -> bool:
        return self._get(self.name) is not None

    def read(self) -> bytes | None:
        """The blob, or None when there is no index entry. BlobDamaged if it does not verify."""
        raw_index = self._get(self.name)
        if raw_index is None:
            return None
        index = _parse_index(raw_index)
        pieces = []
        for number in range(1, index.chunks + 1):
            piece = self._get(chunk_username(self.name, index.generation, number))
            if piece is None:
                raise BlobDamaged(f"part {number} of {index.chunks} is missing.")
            pieces.append(piece)
        try:
            blob = base64.b64decode("".join(pieces).encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as error:
            raise BlobDamaged("a stored part has been altered.") from error
        if len(blob) != index.size or hashlib.sha256(blob).hexdigest() != index.sha256:
            raise BlobDamaged("a stored part has been altered (the checksum does not match).")
        return blob

    # --- writing -----------------------------------------------------------------------
    def write(self, blob: bytes) -> None:
        """Replace the blob: new chunks, read back, then the index, then drop stale chunks."""
        if not blob:
            raise BlobNotSaved("there was nothing to save.")
        old = self._current_index()
        generation = (old.generation + 1) if old else 1
        text = base64.b64encode(blob).decode("ascii")
        pieces = [text[i : i + CHUNK_CHARACTERS] for i in range(0, len(text), CHUNK_CHARACTERS)]
        if len(pieces) > MAX_CHUNKS:
            raise BlobNotSaved("the data is too large for the keyring.")
        for number, piece in enumerate(pieces, start=1):
            username = chunk_username(self.name, generation, number)
            self._set(username, piece)
            if self._get(username) != piece:
                raise BlobNotSaved(f"part {number} did not read back the same.")
        index = json.dumps(
            {
                "v": INDEX_VERSION,
                "gen": generation,
                "chunks": len(pieces),
                "bytes": len(blob),
                "sha256": hashlib.sha256(blob).hexdigest(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        self._set(self.name, index)
        if self._get(self.name) != index:
            raise BlobNotSaved("the index did not read back the same.")
        # Committed. Leftovers of a crashed earlier write of this generation, then the old one.
        self._delete_chunks_from(generation, len(pieces) + 1)
        if old:
            self._delete_chunks_from(old.generation, 1)

    def delete(self) -> bool:
        """Remove the index first (the blob is gone at once), then its chunks."""
        raw = self._get(self.name)
        if raw is None:
            return False
        old = _parse_index_or_none(raw)
        self._delete(self.name)
        if old:
            self._delete_chunks_from(old.generation, 1)
        return True

    # --- helpers -----------------------------------------------------------------------
    def _current_index(self) -> Index | None:
        raw = self._get(self.name)
        return None if raw is None else _parse_index_or_none(raw)

    def _delete_chunks_from(self, generation: int, first: int) -> None:
        """Best effort: keys are already safe, so a failed cleanup is logged, not raised."""
        try:
            for number in range(first, first + MAX_CHUNKS + MAX_STALE_PROBE):
                if not self._delete(chunk_username(self.name, generation, number)):
                    break
        except BackendFailed as error:
            log.warning("could not remove stale key chunks of %s: %s", self.name, error.detail)

    def _get(self, username: str) -> str | None:
        return _guarded(lambda: self.backend.get_password(self.service, username))

    def _set(self, username: str, value: str) -> None:
        _guarded(lambda: self.backend.set_password(self.service, username, value))

    def _delete(self, username: str) -> bool:
        def delete() -> bool:
            try:
                self.backend.delete_password(self.service, username)
            except PasswordDeleteError:
                return False
            return True

        return _guarded(delete)


def _guarded(call: Callable[[], T]) -> T:
    # Backends raise their own platform types (secretstorage, D-Bus, Win32, Keychain);
    # every one of them means "the keyring could not be used", so all are caught here,
    # around the backend call only.
    try:
        return call()
    except NoKeyringError as error:  # its text advises a package MedSnap never ships
        raise BackendFailed("no keyring service found", missing=True) from error
    except Exception as error:  # noqa: BLE001 - see above
        detail = f"{type(error).__name__}: {error}"
        raise BackendFailed(detail, locked=isinstance(error, KeyringLocked)) from error


def _parse_index_or_none(raw: str) -> Index | None:
    try:
        return _parse_index(raw)
    except BlobDamaged:
        return None  # unreadable: its chunks cannot be found, so nothing to clean up


def _parse_index(raw: str) -> Index:
    try:
        index = json.loads(raw)
    except json.JSONDecodeError as error:
        raise BlobDamaged("the index entry is not readable.") from error
    if not isinstance(index, dict) or not _is_whole(index.get("v")) or index["v"] != INDEX_VERSION:
        raise BlobDamaged("the index entry is not readable.")
    generation, chunks, size, digest = (index.get(k) for k in ("gen", "chunks", "bytes", "sha256"))
    valid = (
        _is_whole(generation) and generation >= 1
        and _is_whole(chunks) and 1 <= chunks <= MAX_CHUNKS
        and _is_whole(size) and size >= 0
        and isinstance(digest, str) and re.fullmatch(r"[0-9a-f]{64}", digest) is not None
    )
    if not valid:
        raise BlobDamaged("the index entry is not readable.")
    return Index(generation, chunks, size, digest)


def _is_whole(value: object) -> bool:
    """An int that is not a bool (JSON true would otherwise count as 1)."""
    return isinstance(value, int) and not isinstance(value, bool)
