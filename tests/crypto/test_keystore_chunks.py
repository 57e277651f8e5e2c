"""Chunked keyring storage: every chunk fits Windows' limit, damage is detected, writes are safe."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring_backends import WINDOWS_CREDENTIAL_CHARACTERS, MemoryKeyring

from medsnap.crypto.keyring_chunks import (
    BackendFailed,
    BlobDamaged,
    BlobNotSaved,
    ChunkedKeyringEntry,
    chunk_username,
)

SERVICE = "MedSnap"


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


def entry(backend: MemoryKeyring, name: str = "N12345") -> ChunkedKeyringEntry:
    return ChunkedKeyringEntry(backend, SERVICE, name)


def index_of(backend: MemoryKeyring, name: str = "N12345") -> dict:
    return json.loads(backend.get_password(SERVICE, name))


@pytest.mark.parametrize("size", [1, 749, 750, 751, 2500, 10_000])
def test_round_trip_and_every_chunk_fits_windows_credential_manager(backend, size):
    blob = os.urandom(size)
    entry(backend).write(blob)
    assert entry(backend).read() == blob
    index = index_of(backend)
    assert index["chunks"] == len(backend.entries) - 1
    assert all(len(value) <= WINDOWS_CREDENTIAL_CHARACTERS for value in backend.entries.values())


def test_missing_entry_reads_as_none_and_deletes_as_false(backend):
    assert entry(backend).read() is None
    assert not entry(backend).exists()
    assert entry(backend).delete() is False


def test_entries_of_different_names_do_not_mix(backend):
    entry(backend, "A1").write(b"a" * 3000)
    entry(backend, "A").write(b"b" * 3000)
    assert entry(backend, "A1").read() == b"a" * 3000
    assert entry(backend, "A").read() == b"b" * 3000


def test_rewrite_replaces_and_removes_stale_chunks(backend):
    entry(backend).write(os.urandom(5000))
    new = os.urandom(1500)
    entry(backend).write(new)
    assert entry(backend).read() == new
    generation = index_of(backend)["gen"]
    expected = {"N12345"} | {chunk_username("N12345", generation, n) for n in (1, 2)}
    assert set(backend.usernames(SERVICE)) == expected


def test_delete_removes_index_and_every_chunk(backend):
    entry(backend).write(os.urandom(4000))
    backend.set_password("Other", "N12345", "unrelated")
    assert entry(backend).delete() is True
    assert backend.usernames(SERVICE) == []
    assert backend.get_password("Other", "N12345") == "unrelated"


def test_altered_chunk_is_detected(backend):
    entry(backend).write(os.urandom(3000))
    username = chunk_username("N12345", index_of(backend)["gen"], 2)
    value = backend.entries[(SERVICE, username)]
    flipped = ("A" if value[10] != "A" else "B")
    backend.entries[(SERVICE, username)] = value[:10] + flipped + value[11:]
    with pytest.raises(BlobDamaged, match="altered"):
        entry(backend).read()


def test_chunk_that_is_not_base64_is_detected(backend):
    entry(backend).write(os.urandom(3000))
    username = chunk_username("N12345", index_of(backend)["gen"], 1)
    backend.entries[(SERVICE, username)] = "not base64 at all!"
    with pytest.raises(BlobDamaged):
        entry(backend).read()


def test_missing_chunk_is_detected(backend):
    entry(backend).write(os.urandom(3000))
    backend.delete_password(SERVICE, chunk_username("N12345", index_of(backend)["gen"], 3))
    with pytest.raises(BlobDamaged, match="part 3 of 4 is missing"):
        entry(backend).read()


@pytest.mark.parametrize(
    "index",
    [
        "", "{", "[]", '{"v": 2}', '{"v": true}',
        '{"v":1,"gen":1,"chunks":0,"bytes":1,"sha256":"' + "0" * 64 + '"}',
        '{"v":1,"gen":true,"chunks":1,"bytes":1,"sha256":"' + "0" * 64 + '"}',
        '{"v":1,"gen":1,"chunks":1,"bytes":1,"sha256":"' + "Z" * 64 + '"}',
    ],
)
def test_unreadable_index_is_detected(backend, index):
    backend.set_password(SERVICE, "N12345", index)
    with pytest.raises(BlobDamaged, match="index"):
        entry(backend).read()


class FailingAfter(MemoryKeyring):
    """Injects a crash: the backend dies after ``allowed`` more writes."""

    def __init__(self, allowed: int):
        super().__init__()
        self.allowed = allowed

    def set_password(self, service, username, password):
        if self.allowed <= 0:
            raise OSError("the keyring service went away")
        self.allowed -= 1
        super().set_password(service, username, password)


@pytest.mark.parametrize("writes_before_crash", [0, 1, 2, 3])
def test_crash_while_replacing_keeps_the_old_blob(writes_before_crash):
    backend = FailingAfter(allowed=100)
    old = os.urandom(3000)  # 4 chunks
    entry(backend).write(old)
    backend.allowed = writes_before_crash  # the new blob needs 4 chunk writes + 1 index
    with pytest.raises(BackendFailed, match="went away"):
        entry(backend).write(os.urandom(3100))
    assert entry(backend).read() == old
    # The next successful write cleans up the orphans of the crashed one.
    backend.allowed = 100
    newest = os.urandom(100)
    entry(backend).write(newest)
    assert entry(backend).read() == newest
    assert len(backend.usernames(SERVICE)) == 2


class Mangling(MemoryKeyring):
    """Injects silent corruption: stores something other than what it was given."""

    def set_password(self, service, username, password):
        super().set_password(service, username, password[:-1])


def test_write_that_does_not_read_back_is_refused_and_keeps_the_old_blob():
    backend = Mangling()
    MemoryKeyring.set_password(backend, SERVICE, "N12345", "previous-index")
    with pytest.raises(BlobNotSaved, match="did not read back"):
        entry(backend).write(os.urandom(2000))
    assert backend.get_password(SERVICE, "N12345") == "previous-index"



@settings(max_examples=300, deadline=None)
@given(index=st.one_of(st.text(max_size=200), st.dictionaries(
    st.sampled_from(["v", "gen", "chunks", "bytes", "sha256"]),
    st.one_of(st.none(), st.booleans(), st.integers(-3, 5), st.text(max_size=70), st.floats()),
).map(json.dumps)), chunk=st.text(max_size=50))
def test_any_stored_index_reads_as_a_blob_or_a_typed_error(index, chunk):
    backend = MemoryKeyring(max_characters=None)
    backend.set_password(SERVICE, "N1", index)
    backend.set_password(SERVICE, chunk_username("N1", 1, 1), chunk)
    try:
        entry(backend, "N1").read()
    except BlobDamaged:
        pass
