"""The strict ustar reader/writer, against Python's tarfile and GNU tar output."""

from __future__ import annotations

import io
import subprocess
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medsnap.crypto.archive import BLOCK, ArchiveError, read_archive, write_archive
from medsnap.crypto.letter_errors import MalformedLetter

# a parser example taking this long counts as a hang (each normally takes microseconds)
HANG_MS = 5000

LIMITS = {"manifest.jws": 4096, "image.png": 100_000, "note.json": 4096}
GOOD = [("manifest.jws", b"header.payload.sig"), ("image.png", b"\x89PNG" + bytes(600)),
        ("note.json", b"{}")]


def _tarfile_archive(build, fmt=tarfile.USTAR_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as archive:
        build(archive)
    return out.getvalue()


def _add(archive: tarfile.TarFile, name: str, data: bytes, **attrs) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data))


def test_round_trip_and_determinism():
    data = write_archive(GOOD)
    assert data == write_archive(GOOD)
    assert len(data) % (20 * BLOCK) == 0
    assert [(m.name, m.data) for m in read_archive(data, LIMITS)] == GOOD


def test_tarfile_reads_what_we_write():
    with tarfile.open(fileobj=io.BytesIO(write_archive(GOOD))) as archive:
        infos = archive.getmembers()
        assert [(i.name, i.size, i.mode, i.uid, i.gid, i.mtime) for i in infos] == [
            (name, len(data), 0o644, 0, 0, 0) for name, data in GOOD]
        assert all(i.isreg() for i in infos)
        assert archive.extractfile(infos[1]).read() == GOOD[1][1]


def test_we_read_a_plain_tarfile_ustar_archive():
    data = _tarfile_archive(lambda a: [_add(a, n, d) for n, d in GOOD])
    assert [(m.name, m.data) for m in read_archive(data, LIMITS)] == GOOD


def test_gnu_tar_format_is_refused(tmp_path):
    (tmp_path / "note.json").write_bytes(b"{}")
    result = subprocess.run(["tar", "--format=gnu", "-cf", "-", "note.json"], cwd=tmp_path,
                            capture_output=True, check=True)
    with pytest.raises(ArchiveError, match="ustar"):
        read_archive(result.stdout, LIMITS)


@pytest.mark.parametrize("case", [
    "pax", "symlink", "directory", "hardlink", "traversal", "absolute", "unknown",
    "duplicate", "too_large", "setuid"])
def test_tarfile_would_accept_but_we_refuse(case):
    builders = {
        "pax": lambda a: _add(a, "note.json", b"{}", pax_headers={"comment": "x"}),
        "symlink": lambda a: _add(a, "note.json", b"", type=tarfile.SYMTYPE,
                                  linkname="/etc/passwd"),
        "directory": lambda a: _add(a, "note.json", b"", type=tarfile.DIRTYPE),
        "hardlink": lambda a: _add(a, "note.json", b"", type=tarfile.LNKTYPE,
                                   linkname="image.png"),
        "traversal": lambda a: _add(a, "../note.json", b"{}"),
        "absolute": lambda a: _add(a, "/tmp/note.json", b"{}"),
        "unknown": lambda a: _add(a, "evil.sh", b"#!"),
        "duplicate": lambda a: [_add(a, "note.json", b"{}"), _add(a, "note.json", b"[]")],
        "too_large": lambda a: _add(a, "note.json", bytes(5000)),
        "setuid": lambda a: _add(a, "note.json", b"{}", mode=0o4755),
    }
    fmt = tarfile.PAX_FORMAT if case == "pax" else tarfile.USTAR_FORMAT
    data = _tarfile_archive(builders[case], fmt)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:  # the lenient reader accepts it
        assert archive.getmembers()
    with pytest.raises(ArchiveError):
        read_archive(data, LIMITS)


def _patched(offset: int, new: bytes, *, fix_checksum: bool = True) -> bytes:
    data = bytearray(write_archive(GOOD))
    data[offset:offset + len(new)] = new
    if fix_checksum:
        header = data[0:BLOCK]
        header[148:156] = b" " * 8
        data[148:156] = f"{sum(header):06o}".encode() + b"\x00 "
    return bytes(data)


@pytest.mark.parametrize("data", [
    pytest.param(_patched(0, b"X", fix_checksum=False), id="bad-checksum"),
    pytest.param(_patched(124, b"\x80" + bytes(10) + b"\x10"), id="base256-size"),
    pytest.param(_patched(124, b" 0000000022\x00"), id="leading-space-size"),
    pytest.param(_patched(345, b"dir"), id="prefix"),
    pytest.param(_patched(157, b"target"), id="linkname"),
    pytest.param(_patched(BLOCK + 30, b"\x01"), id="dirty-padding"),
    pytest.param(write_archive(GOOD)[:-20 * BLOCK + 3 * BLOCK], id="truncated"),
    pytest.param(write_archive(GOOD)[:BLOCK * 3] + b"x", id="not-block-aligned"),
    pytest.param(write_archive(GOOD) + b"\x01" + bytes(BLOCK - 1), id="trailing-data"),
])
def test_corruptions_are_refused(data):
    with pytest.raises(ArchiveError):
        read_archive(data, LIMITS)


def test_missing_end_blocks_are_refused():
    data = bytearray(write_archive(GOOD[:1]))
    end = BLOCK * 2  # header + one data block, then the end blocks
    data[end + BLOCK:] = b"\x01" * (len(data) - end - BLOCK)
    with pytest.raises(ArchiveError):
        read_archive(bytes(data), LIMITS)


names = st.sampled_from(sorted(LIMITS))


@settings(max_examples=300, deadline=HANG_MS)
@given(st.binary(max_size=4 * BLOCK))
def test_fuzz_random_bytes_give_only_typed_errors(data):
    try:
        read_archive(data, LIMITS)
    except MalformedLetter:
        pass


@settings(max_examples=300, deadline=HANG_MS)
@given(st.lists(st.tuples(st.integers(0, 3 * BLOCK - 1), st.integers(0, 255)), max_size=6))
def test_fuzz_mutated_archives_give_only_typed_errors(flips):
    data = bytearray(write_archive(GOOD))
    for offset, value in flips:
        data[offset] = value
    try:
        members = read_archive(bytes(data), LIMITS)
    except MalformedLetter:
        return
    assert [m.name for m in members] == [m.name for m in members if m.name in LIMITS]
    assert len({m.name for m in members}) == len(members)


@settings(max_examples=100, deadline=HANG_MS)
@given(st.dictionaries(names, st.binary(max_size=1500), min_size=1))
def test_fuzz_round_trip_matches_tarfile(members):
    data = write_archive(sorted(members.items()))
    parsed = read_archive(data, LIMITS)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        expected = [(i.name, archive.extractfile(i).read()) for i in archive.getmembers()]
    assert [(m.name, m.data) for m in parsed] == expected == sorted(members.items())
