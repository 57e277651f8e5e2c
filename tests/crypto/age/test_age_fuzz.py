"""Hypothesis: hostile bytes only ever produce typed AgeError subclasses, quickly."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medsnap.crypto import age
from medsnap.crypto.age.header import read_header

IDENTITY = age.X25519Identity.generate()
PASSPHRASE = age.ScryptIdentity("fuzz", max_log_n=12)  # keeps mutated work factors cheap
SEALED = age.encrypt(bytes(range(256)) * 600, [IDENTITY.recipient(), age.X25519Identity.generate().recipient()])
ARMORED = age.encrypt(b"short note", [IDENTITY.recipient()], armor=True)
SCRYPT = age.encrypt(b"short note", [age.ScryptRecipient("fuzz", log_n=10)])
HEADER_END = SEALED.index(b"\n---") + 49
FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _decrypt_expecting_only_age_errors(data: bytes) -> None:
    try:
        age.decrypt(data, [IDENTITY, PASSPHRASE])
    except age.AgeError as error:
        assert error.message and error.exit_code == 6


@st.composite
def mutated(draw, base: bytes, focus: int | None = None) -> bytes:
    data = bytearray(base)
    limit = focus or len(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, min(limit, len(data)) - 1)))
        action = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if action == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "set" and data:
            data[at] = draw(st.sampled_from(b" \n-=>0A/+\r\x00\xff19"))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            del data[at:]
    return bytes(data)


@FUZZ
@given(st.binary(max_size=2000))
def test_header_parser_random_bytes(data):
    try:
        read_header(io.BytesIO(data))
    except age.HeaderError:
        pass


@FUZZ
@given(st.binary(max_size=300).map(lambda tail: b"age-encryption.org/v1\n-> " + tail))
def test_header_parser_plausible_prefix(data):
    try:
        read_header(io.BytesIO(data))
    except age.HeaderError:
        pass


@FUZZ
@given(mutated(SEALED, focus=HEADER_END))
def test_decrypt_mutated_header(data):
    _decrypt_expecting_only_age_errors(data)


@FUZZ
@given(mutated(SEALED))
def test_decrypt_mutated_anywhere(data):
    _decrypt_expecting_only_age_errors(data)


@FUZZ
@given(mutated(ARMORED))
def test_decrypt_mutated_armor(data):
    _decrypt_expecting_only_age_errors(data)


@FUZZ
@given(mutated(SCRYPT))
def test_decrypt_mutated_scrypt(data):
    _decrypt_expecting_only_age_errors(data)


@FUZZ
@given(st.binary(max_size=3000))
def test_decrypt_random_bytes(data):
    _decrypt_expecting_only_age_errors(data)
    _decrypt_expecting_only_age_errors(b"-----BEGIN AGE ENCRYPTED FILE-----\n" + data)


@FUZZ
@given(st.text(max_size=120))
def test_key_strings_random_text(text):
    for parse in (age.X25519Recipient.from_string, age.X25519Identity.from_string):
        try:
            parse(text)
        except age.KeyFormatError:
            pass
