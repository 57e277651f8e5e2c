"""The one-pass paths: sealing from the image and opening straight into each member.

Every refusal of the one-pass opener is compared with the reference path it replaced (the
streaming age decryptor, then the whole-archive reader): same error type, same message.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import tracemalloc

import pytest

from medsnap.crypto import age
from medsnap.crypto.age.stream import CHUNK, ENC_CHUNK
from medsnap.crypto.archive import ArchiveError, ArchiveLayout, ArchiveReader, read_archive, \
    write_archive
from medsnap.crypto.letter import open_letter, seal
from medsnap.crypto.letter_errors import MalformedLetter
from medsnap.crypto.letter_model import Letter
from medsnap.crypto.letter_pack import OVERLAP_FROM, seal_archive
from medsnap.crypto.letter_parts import MEMBER_LIMITS
from medsnap.crypto.letter_unpack import unpack
from medsnap.crypto.replay import ReplayStore
from pki_people import unlocked

PNG = b"\x89PNG\r\n\x1a\n"


def _image(size: int) -> bytes:
    return PNG + random.Random(size).randbytes(size - len(PNG))


@pytest.fixture(scope="module")
def big_sealed(alice, bob):
    """A letter whose image spans several chunks, so most chunks go straight into place."""
    image = _image(5 * CHUNK + 777)
    return image, seal(Letter(image, "image/png", note="n"), unlocked(alice), [bob.certificates])


def _reference(data: bytes, reader) -> list[tuple[str, bytes]] | tuple[type, str]:
    """What the two-pass path (stream decrypt, then read the whole archive) makes of ``data``."""
    out = io.BytesIO()
    try:
        age.decrypt_stream(io.BytesIO(data), out, [age.X25519Identity(reader.encryption_key)],
                           armored=False)
        return [(m.name, m.data) for m in read_archive(out.getvalue(), MEMBER_LIMITS)]
    except (age.AgeError, ArchiveError) as exc:
        return type(exc), str(exc)


def _one_pass(data: bytes, reader) -> list[tuple[str, bytes]] | tuple[type, str]:
    try:
        return [(m.name, m.data) for m in unpack(
            data, [age.X25519Identity(reader.encryption_key)], MEMBER_LIMITS)]
    except (age.AgeError, ArchiveError) as exc:
        return type(exc), str(exc)


def test_one_pass_opens_what_was_sealed(big_sealed, bob, hospital_ca):
    image, sealed = big_sealed
    members = unpack(sealed, [age.X25519Identity(bob.encryption_key)], MEMBER_LIMITS)
    assert members[1].data == image and type(members[1].data) is bytes
    assert _one_pass(sealed, bob) == _reference(sealed, bob)
    with ReplayStore(":memory:") as store:
        opened = open_letter(sealed, unlocked(bob), root=hospital_ca.root_certificate,
                             crl=hospital_ca.crl([]), replay_store=store)
    assert opened.image == image


def test_truncated_and_bit_flipped_letters_are_refused_as_before(big_sealed, bob,
                                                                  hospital_ca):
    _, sealed = big_sealed
    payload = sealed.index(b"\n--- ") + 64  # past the header, inside the payload
    cuts = [len(sealed) - n for n in (1, 16, 17, ENC_CHUNK, ENC_CHUNK + 1, 3 * ENC_CHUNK)]
    flips = [payload + 40, payload + 2 * ENC_CHUNK + 5, len(sealed) - 3]
    variants = [sealed[:cut] for cut in cuts] + [
        sealed[:at] + bytes([sealed[at] ^ 1]) + sealed[at + 1:] for at in flips]
    variants.append(sealed + os.urandom(ENC_CHUNK))
    for data in variants:
        expected = _reference(data, bob)
        assert isinstance(expected, tuple)  # every variant must be refused
        assert _one_pass(data, bob) == expected
        with ReplayStore(":memory:") as store, pytest.raises(MalformedLetter) as info:
            open_letter(data, unlocked(bob), root=hospital_ca.root_certificate,
                        crl=hospital_ca.crl([]), replay_store=store)
        assert "damaged" in str(info.value)


def test_archive_faults_are_reported_only_after_the_payload_authenticated(bob):
    image = _image(3 * CHUNK)
    archive = bytearray(write_archive([("manifest.jws", b"x"), ("image.png", image),
                                       ("note.json", b"{}")]))
    archive[0] = ord("!")  # breaks the first header (its checksum) in chunk 0
    recipients = [age.X25519Recipient(bob.encryption_key.public_key())]
    broken = age.encrypt(bytes(archive), recipients)
    assert _one_pass(broken, bob) == _reference(broken, bob)
    assert _one_pass(broken, bob)[0] is ArchiveError
    cut = broken[:-ENC_CHUNK // 2]  # and also damaged later on: the damage is reported
    assert _one_pass(cut, bob) == _reference(cut, bob)
    assert issubclass(_one_pass(cut, bob)[0], age.AgeError)


def test_fuzzed_plaintext_gets_the_same_verdict(bob):
    rng = random.Random(4)
    good = write_archive([("manifest.jws", b"m" * 700), ("image.png", _image(CHUNK + 3000)),
                          ("note.json", b"{}")])
    recipients = [age.X25519Recipient(bob.encryption_key.public_key())]
    for _ in range(60):
        archive = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            at = rng.choice([rng.randrange(len(archive)), rng.randrange(3 * 512)])
            archive[at] = rng.randrange(256)
        if rng.random() < 0.2:
            archive = archive[:rng.randrange(len(archive))]
        data = age.encrypt(bytes(archive), recipients)
        assert _one_pass(data, bob) == _reference(data, bob)


@pytest.mark.parametrize("piece", [1, 7, 512, 4096, CHUNK])
def test_archive_reader_fed_in_pieces_equals_whole_reads(piece):
    rng = random.Random(piece)
    members = [("a", rng.randbytes(1300)), ("b", b""), ("c", rng.randbytes(CHUNK + 1))]
    data = write_archive(members)
    for mutation in [None, 0, 156, 300, 513, len(data) - 1, 1300 + 1024 + 3]:
        archive = bytearray(data)
        if mutation is not None:
            archive[mutation] ^= 0x41
        limits = {"a": 2000, "b": 10, "c": 2 * CHUNK}
        try:
            expected = [(m.name, m.data) for m in read_archive(bytes(archive), limits)]
        except ArchiveError as exc:
            expected = str(exc)
        reader = ArchiveReader(len(archive), limits, hashed=True)
        try:
            for start in range(0, len(archive), piece):
                reader.feed(memoryview(archive)[start:start + piece])
            got = [(m.name, m.data) for m in reader.finish()]
        except ArchiveError as exc:
            got = str(exc)
        assert got == expected


def test_archive_layout_serves_the_written_archive():
    rng = random.Random(9)
    for _ in range(30):
        members = [(f"m{i}", rng.randbytes(rng.choice([0, 1, 512, CHUNK, CHUNK + 9,
                                                       rng.randrange(200_000)])))
                   for i in range(rng.randint(1, 3))]
        layout, written = ArchiveLayout(members), write_archive(members)
        step = rng.choice([1000, CHUNK])
        assert layout.size == len(written)
        assert b"".join(bytes(layout.plain(o, min(step, layout.size - o)))
                        for o in range(0, layout.size, step)) == written


def test_memory_is_one_copy_of_the_image(alice, bob, hospital_ca):
    size = 12_000_000
    image = _image(size)
    letter = Letter(image, "image/png", note="memory")
    tracemalloc.start()
    try:
        sealed = seal(letter, unlocked(alice), [bob.certificates])
        seal_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        with ReplayStore(":memory:") as store:
            opened = open_letter(sealed, unlocked(bob), root=hospital_ca.root_certificate,
                                 crl=hospital_ca.crl([]), replay_store=store)
        open_peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert opened.image == image
    # the sealed file (or the opened image) plus a few MB of buffers, not two or three copies
    assert seal_peak < 1.1 * size + 4_000_000, seal_peak / size
    assert open_peak < 1.1 * size + 4_000_000, open_peak / size


@pytest.mark.parametrize("image_size", [1000, OVERLAP_FROM + CHUNK + 5])
@pytest.mark.parametrize("length_known", [True, False])
def test_sealed_archive_is_the_written_archive(bob, image_size, length_known):
    """Hashed on a second thread while the later chunks are encrypted, or first; and when
    the signed manifest's length was mispredicted, encrypted again from scratch."""
    image, note = _image(image_size), b'{"note": "n"}'
    signed: list[str] = []

    def sign_manifest(image_sha256: str) -> bytes:
        signed.append(image_sha256)
        return b"signed over " + image_sha256.encode()

    length = len(sign_manifest("0" * 64)) + (0 if length_known else 1)
    sealed = seal_archive(("image.png", image), note, sign_manifest, length,
                          [age.X25519Recipient(bob.encryption_key.public_key())])
    assert signed[-1] == hashlib.sha256(image).hexdigest()
    assert age.decrypt(sealed, [age.X25519Identity(bob.encryption_key)]) == write_archive(
        [("manifest.jws", sign_manifest(signed[-1])), ("image.png", image),
         ("note.json", note)])
