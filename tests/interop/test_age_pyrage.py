"""Our age implementation against pyrage (the Rust `rage` crate), both directions."""

from __future__ import annotations

import os

import pyrage
import pytest

from medsnap.crypto import age as ours

pytestmark = pytest.mark.interop

SIZES = [0, 64 * 1024, 64 * 1024 + 1, 3 * 64 * 1024, 1_000_003]


def _pair() -> tuple[pyrage.x25519.Identity, ours.X25519Identity]:
    """The same key in both libraries, converted through its string form."""
    theirs = pyrage.x25519.Identity.generate()
    return theirs, ours.X25519Identity.from_string(str(theirs))


def test_key_strings_agree():
    theirs, mine = _pair()
    assert mine.recipient().to_string() == str(theirs.to_public())
    generated = ours.X25519Identity.generate()
    assert str(pyrage.x25519.Identity.from_str(generated.to_string()).to_public()) == generated.recipient().to_string()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armor", [False, True])
def test_both_directions(size, armor):
    theirs, mine = _pair()
    plaintext = os.urandom(size)
    sealed_by_us = ours.encrypt(plaintext, [mine.recipient()], armor=armor)
    assert pyrage.decrypt(sealed_by_us, [theirs]) == plaintext
    sealed_by_them = pyrage.encrypt(plaintext, [theirs.to_public()], armored=armor)
    assert ours.decrypt(sealed_by_them, [mine]) == plaintext


def test_several_recipients():
    pairs = [_pair() for _ in range(4)]
    plaintext = os.urandom(100_000)
    sealed = ours.encrypt(plaintext, [mine.recipient() for _, mine in pairs])
    for theirs, _ in pairs:
        assert pyrage.decrypt(sealed, [theirs]) == plaintext
    sealed = pyrage.encrypt(plaintext, [theirs.to_public() for theirs, _ in pairs])
    for _, mine in pairs:
        assert ours.decrypt(sealed, [mine]) == plaintext


def test_passphrase_both_directions():
    plaintext = os.urandom(65_537)
    sealed = ours.encrypt(plaintext, [ours.ScryptRecipient("ward seven", log_n=15)])
    assert pyrage.passphrase.decrypt(sealed, "ward seven") == plaintext
    with pytest.raises(pyrage.DecryptError):
        pyrage.passphrase.decrypt(sealed, "ward eight")
    # rage picks its own work factor (about a second of scrypt, up to 1 GiB): open it once.
    sealed = pyrage.passphrase.encrypt(plaintext, "ward seven")
    assert ours.decrypt(sealed, [ours.ScryptIdentity("ward seven")]) == plaintext


def test_wrong_key_and_damage_both_ways():
    theirs, mine = _pair()
    stranger, other = _pair()
    plaintext = os.urandom(150_000)
    sealed = ours.encrypt(plaintext, [mine.recipient()])
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(sealed, [stranger])
    for damaged in (sealed[:-1], sealed[:-17], sealed[: len(sealed) // 2], sealed[:-5] + bytes([sealed[-5] ^ 4]) + sealed[-4:]):
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(damaged, [theirs])
    sealed = pyrage.encrypt(plaintext, [theirs.to_public()])
    with pytest.raises(ours.NoIdentityMatched):
        ours.decrypt(sealed, [other])
    with pytest.raises(ours.PayloadError):
        ours.decrypt(sealed[:-1], [mine])
    with pytest.raises(ours.PayloadError):
        ours.decrypt(sealed[:-100] + bytes([sealed[-100] ^ 1]) + sealed[-99:], [mine])
