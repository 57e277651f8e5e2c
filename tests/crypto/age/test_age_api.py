"""Unit tests of the age API: keys, recipients, streaming guarantees, errors."""

from __future__ import annotations

import io
import os
import tracemalloc

import pytest

from medsnap.crypto import age
from medsnap.crypto.age.header import Stanza
from medsnap.errors import CryptoError

# The example keys printed in the age specification (C2SP age.md).
SPEC_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
SPEC_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"


def test_spec_key_strings():
    identity = age.X25519Identity.from_string(SPEC_IDENTITY)
    assert identity.to_string() == SPEC_IDENTITY
    assert identity.recipient().to_string() == SPEC_RECIPIENT
    assert age.X25519Recipient.from_string(SPEC_RECIPIENT) == identity.recipient()
    assert SPEC_IDENTITY not in repr(identity)


@pytest.mark.parametrize(
    "text",
    [
        SPEC_RECIPIENT.upper(),  # recipients are lowercase
        SPEC_RECIPIENT[:10] + SPEC_RECIPIENT[10:].upper(),  # mixed case
        SPEC_RECIPIENT[:-1] + ("q" if SPEC_RECIPIENT[-1] != "q" else "p"),  # checksum
        SPEC_IDENTITY.lower(),  # wrong human-readable part
        "age1",
        "",
    ],
)
def test_bad_recipient_strings(text):
    with pytest.raises(age.KeyFormatError):
        age.X25519Recipient.from_string(text)


def test_bad_identity_strings():
    for text in (SPEC_IDENTITY.lower(), SPEC_RECIPIENT, SPEC_IDENTITY[:-2] + "QQ"):
        with pytest.raises(age.KeyFormatError):
            age.X25519Identity.from_string(text)


def test_identity_file_round_trip_and_messages():
    identity = age.X25519Identity.generate()
    text = age.identity_file_text(identity)
    assert [i.to_string() for i in age.parse_identities(text)] == [identity.to_string()]
    key = identity.to_string()
    other = "Q" if key[-1] == "X" else "X"  # a different last character (1 in 32 ends in X)
    broken = text.replace(key, key[:-1] + other)
    with pytest.raises(age.KeyFormatError) as caught:
        age.parse_identities(broken)
    assert "line 3" in caught.value.message and key[:-1] not in caught.value.message


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 16 * 65536, 16 * 65536 + 7, 33 * 65536])
def test_stream_round_trip_sizes(size):
    identity = age.X25519Identity.generate()
    plaintext = os.urandom(size)
    sealed = io.BytesIO()
    age.encrypt_stream(io.BytesIO(plaintext), sealed, [identity.recipient()])
    chunks = max(1, -(-size // 65536))
    assert len(sealed.getvalue()) - sealed.getvalue().index(b"\n---") - 49 == 16 + size + 16 * chunks
    opened = io.BytesIO()
    age.decrypt_stream(io.BytesIO(sealed.getvalue()), opened, [identity])
    assert opened.getvalue() == plaintext


class Recorder(io.RawIOBase):
    def __init__(self):
        self.writes: list[bytes] = []

    def writable(self):
        return True

    def write(self, data):
        self.writes.append(bytes(data))
        return len(data)


def test_only_authenticated_chunks_are_released():
    identity = age.X25519Identity.generate()
    plaintext = os.urandom(5 * 65536 + 100)
    sealed = bytearray(age.encrypt(plaintext, [identity.recipient()]))
    payload = sealed.index(b"\n---") + 49 + 16
    sealed[payload + 3 * 65552 + 9] ^= 0x80  # damage the fourth chunk
    recorder = Recorder()
    with pytest.raises(age.PayloadError) as caught:
        age.decrypt_stream(io.BytesIO(bytes(sealed)), recorder, [identity])
    assert b"".join(recorder.writes) == plaintext[: 3 * 65536]
    assert "must be discarded" in caught.value.message


def test_streaming_memory_is_flat():
    identity = age.X25519Identity.generate()

    class Zeros(io.RawIOBase):
        def __init__(self, size):
            self.left = size

        def readable(self):
            return True

        def readinto(self, buffer):
            n = min(len(buffer), self.left)
            buffer[:n] = bytes(n)
            self.left -= n
            return n

    class Sink(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            return len(data)

    sealed = io.BytesIO()
    age.encrypt_stream(Zeros(1000), sealed, [identity.recipient()])
    tracemalloc.start()
    age.encrypt_stream(Zeros(64 * 1024 * 1024), Sink(), [identity.recipient()])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_scrypt_rules():
    with pytest.raises(age.RecipientError):
        age.encrypt(b"x", [age.ScryptRecipient("pw", log_n=10), age.X25519Identity.generate().recipient()])
    sealed = age.encrypt(b"x", [age.ScryptRecipient("pw", log_n=14)])
    assert b"\n-> scrypt " in sealed and b" 14\n" in sealed
    assert age.decrypt(sealed, [age.ScryptIdentity(b"pw")]) == b"x"
    with pytest.raises(age.HeaderError, match="above the limit"):
        age.decrypt(sealed, [age.ScryptIdentity("pw", max_log_n=13)])
    with pytest.raises(age.NoIdentityMatched):
        age.decrypt(sealed, [age.ScryptIdentity("other")])
    with pytest.raises(age.NoIdentityMatched):  # an X25519 key does not open a passphrase file
        age.decrypt(sealed, [age.X25519Identity.generate()])


class Grease:
    """A recipient of an unknown type: readers must skip its stanza."""

    def wrap(self, file_key):
        return [Stanza("example.org/grease", ["a!", "~z"], os.urandom(70))]


def test_unknown_stanzas_are_ignored():
    identity = age.X25519Identity.generate()
    sealed = age.encrypt(b"note", [Grease(), identity.recipient(), Grease()])
    assert b"-> example.org/grease a! ~z\n" in sealed
    assert age.decrypt(sealed, [identity]) == b"note"
    with pytest.raises(age.NoIdentityMatched):
        age.decrypt(sealed, [age.X25519Identity.generate()])


def test_armor_format_and_detection():
    identity = age.X25519Identity.generate()
    armored = age.encrypt(os.urandom(1000), [identity.recipient()], armor=True)
    lines = armored.decode("ascii").splitlines()
    assert lines[0] == "-----BEGIN AGE ENCRYPTED FILE-----" and lines[-1] == "-----END AGE ENCRYPTED FILE-----"
    assert all(len(line) == 64 for line in lines[1:-2]) and 0 < len(lines[-2]) <= 64
    assert age.decrypt(b"\n  " + armored + b"\r\n", [identity])
    with pytest.raises(age.ArmorError):
        age.decrypt(armored.replace(b"\n", b"\n ", 2), [identity])
    with pytest.raises(age.ArmorError):
        age.decrypt(armored + b"x", [identity])
    with pytest.raises(age.HeaderError):  # without armor the text is simply not an age file
        age.decrypt(armored, [identity], armored=False)


def test_errors_are_typed_and_actionable():
    for error in (
        age.NoIdentityMatched(), age.HeaderError("x"), age.HmacError(), age.PayloadError("x"),
        age.ArmorError("x"), age.KeyFormatError("x"), age.RecipientError("x"),
    ):
        assert isinstance(error, age.AgeError) and isinstance(error, CryptoError)
        assert error.exit_code == 6 and len(error.message) > 60
    messages = {type(e).__name__: e.message for e in (age.NoIdentityMatched(), age.HmacError(), age.PayloadError("x"))}
    assert len(set(messages.values())) == 3


def test_header_mac_protects_stanzas():
    identity = age.X25519Identity.generate()
    sealed = age.encrypt(b"note", [identity.recipient()])
    # Add a grease stanza without updating the MAC: the file key still unwraps, the MAC fails.
    tampered = sealed.replace(b"\n---", b"\n-> extra\n\n---", 1)
    with pytest.raises(age.HmacError):
        age.decrypt(tampered, [identity])
