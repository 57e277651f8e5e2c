"""Compact JWS parsing: strict header rules, interop with jwcrypto, fuzzing."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from jwcrypto import jwk
from jwcrypto import jws as jwcrypto_jws

from medsnap.crypto import jws
from medsnap.crypto.letter_errors import (BadSignature, CriticalHeader, LetterError,
                                          MalformedLetter, UnsupportedAlgorithm)

# a parser example taking this long counts as a hang (each normally takes microseconds)
HANG_MS = 5000
KEY = Ed25519PrivateKey.generate()
PAYLOAD = b'{"hello":"world"}'


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _token(header: dict | bytes, payload: bytes = PAYLOAD, key=KEY) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    signing_input = _b64(raw) + b"." + _b64(payload)
    return signing_input + b"." + _b64(key.sign(signing_input))


def test_round_trip():
    token = jws.sign(PAYLOAD, KEY, typ="t", chain=[])
    parsed = jws.parse(token)
    assert parsed.payload == PAYLOAD and parsed.header["alg"] == "EdDSA"
    parsed.verify(KEY.public_key())
    with pytest.raises(BadSignature):
        parsed.verify(Ed25519PrivateKey.generate().public_key())


def test_jwcrypto_verifies_ours_and_we_verify_jwcrypto():
    ours = jws.sign(PAYLOAD, KEY, typ="t", chain=[])
    public = jwk.JWK.from_pyca(KEY.public_key())
    checker = jwcrypto_jws.JWS()
    checker.deserialize(ours.decode())
    checker.verify(public, alg="EdDSA")
    assert checker.payload == PAYLOAD
    theirs = jwcrypto_jws.JWS(PAYLOAD)
    theirs.add_signature(jwk.JWK.from_pyca(KEY), alg="EdDSA",
                         protected=json.dumps({"alg": "EdDSA", "typ": "t"}))
    parsed = jws.parse(theirs.serialize(compact=True).encode())
    parsed.verify(KEY.public_key())
    assert parsed.payload == PAYLOAD


@pytest.mark.parametrize("header,error", [
    ({"alg": "none"}, UnsupportedAlgorithm),
    ({"alg": "HS256"}, UnsupportedAlgorithm),
    ({"alg": "ES256"}, UnsupportedAlgorithm),
    ({"alg": "eddsa"}, UnsupportedAlgorithm),
    ({"typ": "t"}, UnsupportedAlgorithm),
    ({"alg": ["EdDSA"]}, UnsupportedAlgorithm),
    ({"alg": "EdDSA", "crit": ["exp"], "exp": 1}, CriticalHeader),
    ({"alg": "EdDSA", "crit": []}, CriticalHeader),
    ({"alg": "EdDSA", "b64": False}, MalformedLetter),
    ({"alg": "EdDSA", "jwk": {"kty": "OKP"}}, MalformedLetter),
    ({"alg": "EdDSA", "jku": "http://evil.example/keys"}, MalformedLetter),
    ({"alg": "EdDSA", "x5u": "http://evil.example/cert"}, MalformedLetter),
    ({"alg": "EdDSA", "kid": "k1"}, MalformedLetter),
])
def test_refused_headers(header, error):
    with pytest.raises(error):
        jws.parse(_token(header))


def test_alg_none_with_empty_signature_is_refused():
    token = _b64(b'{"alg":"none"}') + b"." + _b64(PAYLOAD) + b"."
    with pytest.raises(UnsupportedAlgorithm):
        jws.parse(token)


@pytest.mark.parametrize("token", [
    _token(b'{"alg":"EdDSA","alg":"none"}'),                     # duplicate key
    _token(b'{"alg":"EdDSA","typ":NaN}'),                        # non-finite
    _token(b'["alg","EdDSA"]'),                                  # not an object
    _token(b'\xff{"alg":"EdDSA"}'),                              # not UTF-8
    _token({"alg": "EdDSA"}) + b".extra",                        # five-part (JWE-like)
    _token({"alg": "EdDSA"}).replace(b".", b"..", 1),            # empty segment
    _token({"alg": "EdDSA"}) + b"=",                             # padding
    base64.urlsafe_b64encode(b'{"alg": "EdDSA"}') + b".e30.AAAA",  # padded header
    b"eyJhbGciOiJFZERTQSJ9.e30+/.AAAA",                          # standard alphabet
    b"x" * (jws.MAX_TOKEN_BYTES + 1),
])
def test_malformed_tokens(token):
    with pytest.raises(MalformedLetter):
        jws.parse(token)


def test_short_signature_is_bad_signature():
    signing_input = _b64(b'{"alg":"EdDSA"}') + b"." + _b64(PAYLOAD)
    with pytest.raises(BadSignature):
        jws.parse(signing_input + b"." + _b64(bytes(63)))


def test_non_canonical_base64url_is_refused():
    # "e31" decodes like "e30" ("{}") but carries set trailing bits
    with pytest.raises(MalformedLetter, match="canonical"):
        jws.parse(_b64(b'{"alg":"EdDSA"}') + b".e31." + _b64(bytes(64)))


def test_x5c_must_hold_certificates():
    for chain in ([], ["not base64!"], [base64.b64encode(b"junk").decode()], "abc", [1]):
        parsed = jws.parse(_token({"alg": "EdDSA", "x5c": chain}))
        with pytest.raises(MalformedLetter):
            parsed.certificates()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=HANG_MS)
@given(st.binary(max_size=400))
def test_fuzz_bytes_give_only_typed_errors(data):
    try:
        parsed = jws.parse(data)
        parsed.certificates()
        parsed.verify(KEY.public_key())
    except LetterError:
        pass


@settings(max_examples=300, deadline=HANG_MS)
@given(st.dictionaries(st.sampled_from(["alg", "typ", "x5c", "crit", "kid", "b64"]) |
                       st.text(max_size=5), json_values, max_size=4),
       st.binary(max_size=64))
def test_fuzz_headers_give_only_typed_errors(header, payload):
    try:
        parsed = jws.parse(_token(header, payload))
        parsed.certificates()
    except LetterError:
        return
    raise AssertionError("a header without a valid x5c chain must not pass")


@settings(max_examples=200, deadline=HANG_MS)
@given(st.integers(0, 2000), st.integers(0, 255))
def test_fuzz_single_byte_changes_never_verify(position, value):
    token = bytearray(jws.sign(PAYLOAD, KEY, typ="t", chain=[]))
    position %= len(token)
    if token[position] == value:
        return
    token[position] = value
    try:
        jws.parse(bytes(token)).verify(KEY.public_key())
    except LetterError:
        return
    raise AssertionError("a modified token verified")
