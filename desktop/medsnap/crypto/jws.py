"""Compact JWS (RFC 7515) with EdDSA/Ed25519 (RFC 8037) only, parsed strictly.

The header may hold exactly ``alg`` (must be ``"EdDSA"``), ``typ`` and ``x5c``. Any other
algorithm (``none``, ``HS256``, ...) is :class:`UnsupportedAlgorithm`; ``crit`` is
:class:`CriticalHeader`; any other parameter (``jwk``, ``jku``, ``x5u``, ``kid``, ``b64``, ...)
could change how the token is verified, so it is refused as malformed. JSON must be UTF-8,
without duplicate keys or non-finite numbers; base64url must be canonical and unpadded.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding

from medsnap.crypto.letter_errors import (BadSignature, CriticalHeader, MalformedLetter,
                                          UnsupportedAlgorithm)

ALGORITHM = "EdDSA"
ALLOWED_HEADER = frozenset({"alg", "typ", "x5c"})
MAX_TOKEN_BYTES = 64 * 1024
MAX_CHAIN = 4
_B64URL = re.compile(rb"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: bytes, what: str) -> bytes:
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedLetter(f"manifest {what} is not base64url")
    data = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
    if b64url_encode(data).encode("ascii") != text:
        raise MalformedLetter(f"manifest {what} is not canonical base64url")
    return data


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedLetter(f"manifest JSON repeats the key {key!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise MalformedLetter(f"manifest JSON holds {name}")


def strict_json(data: bytes, what: str) -> Any:
    """UTF-8 JSON without duplicate keys, NaN or Infinity; typed error on anything else."""
    try:
        text = data.decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, MalformedLetter):
            raise
        raise MalformedLetter(f"{what} is not valid JSON") from exc


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class CompactJWS:
    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    def certificates(self) -> list[x509.Certificate]:
        """The ``x5c`` chain, leaf first (standard base64 of DER, RFC 7515 section 4.1.6)."""
        chain = self.header.get("x5c")
        if not isinstance(chain, list) or not 1 <= len(chain) <= MAX_CHAIN \
                or not all(isinstance(item, str) for item in chain):
            raise MalformedLetter("manifest x5c is not a list of certificates")
        certs = []
        for item in chain:
            try:
                der = base64.b64decode(item.encode("ascii"), validate=True)
                certs.append(x509.load_der_x509_certificate(der))
            except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
                raise MalformedLetter("manifest x5c holds an unreadable certificate") from exc
        return certs

    def verify(self, public_key: Ed25519PublicKey) -> None:
        try:
            public_key.verify(self.signature, self.signing_input)
        except InvalidSignature as exc:
            raise BadSignature("Ed25519 signature check failed") from exc


def sign(payload: bytes, key: Ed25519PrivateKey, *, typ: str,
         chain: list[x509.Certificate]) -> bytes:
    header = {"alg": ALGORITHM, "typ": typ,
              "x5c": [base64.b64encode(c.public_bytes(Encoding.DER)).decode("ascii")
                      for c in chain]}
    signing_input = (b64url_encode(canonical_json(header)) + "." + b64url_encode(payload))
    signature = key.sign(signing_input.encode("ascii"))
    return (signing_input + "." + b64url_encode(signature)).encode("ascii")


def parse(token: bytes) -> CompactJWS:
    """Split and decode a compact JWS, refusing every header MedSnap does not issue."""
    if len(token) > MAX_TOKEN_BYTES:
        raise MalformedLetter("manifest is too large")
    parts = token.split(b".")
    if len(parts) != 3:
        raise MalformedLetter("manifest is not a compact JWS")
    header = strict_json(b64url_decode(parts[0], "header"), "manifest header")
    if not isinstance(header, dict):
        raise MalformedLetter("manifest header is not a JSON object")
    if header.get("alg") != ALGORITHM:
        raise UnsupportedAlgorithm(f"manifest signature algorithm {str(header.get('alg'))[:20]!r}"
                                   " is not EdDSA")
    if "crit" in header:
        raise CriticalHeader("manifest header lists critical extensions")
    unknown = sorted(set(header) - ALLOWED_HEADER)
    if unknown:
        raise MalformedLetter(f"manifest header has unexpected parameters {unknown[:3]}")
    payload = b64url_decode(parts[1], "payload")
    signature = b64url_decode(parts[2], "signature")
    if len(signature) != 64:
        raise BadSignature("Ed25519 signature has the wrong length")
    return CompactJWS(header, payload, parts[0] + b"." + parts[1], signature)
