"""Canonical unpadded base64, as the age header requires (RFC 4648 section 3.5)."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import HeaderError

_ALPHABET = re.compile(rb"[A-Za-z0-9+/]*")


def encode(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def decode(text: bytes, what: str = "value") -> bytes:
    """Decode unpadded base64, rejecting padding, stray characters and non-canonical bits."""
    if not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise HeaderError(f"invalid base64 in {what}")
    padded = text + b"=" * (-len(text) % 4)
    try:
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise HeaderError(f"invalid base64 in {what}") from None
    if encode(data) != text:
        raise HeaderError(f"non-canonical base64 in {what}")
    return data
