"""Bech32 (BIP 173) as age uses it: no length limit, all-lowercase or all-uppercase."""

from __future__ import annotations

from .errors import KeyFormatError

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_INDEX = {c: i for i, c in enumerate(CHARSET)}
_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value
        for bit, generator in enumerate(_GENERATORS):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    accumulator, bits, out = 0, 0, []
    mask = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((accumulator >> bits) & mask)
    if pad:
        if bits:
            out.append((accumulator << (to_bits - bits)) & mask)
    elif bits >= from_bits or (accumulator << (to_bits - bits)) & mask:
        # Leftover bits must be fewer than one input group and all zero (canonical).
        raise KeyFormatError("the key has non-zero padding bits")
    return out


def encode(hrp: str, data: bytes) -> str:
    """Encode ``data`` with human-readable part ``hrp``; the case follows ``hrp``."""
    lower_hrp = hrp.lower()
    words = _regroup(data, 8, 5, pad=True)
    checksum = _polymod(_expand_hrp(lower_hrp) + words + [0] * 6) ^ 1
    words += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    text = lower_hrp + "1" + "".join(CHARSET[w] for w in words)
    return text.upper() if hrp.isupper() else text


def decode(text: str) -> tuple[str, bytes]:
    """Return (lowercase hrp, data); raise KeyFormatError on any defect."""
    if not text.isascii() or any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise KeyFormatError("the key contains characters that are not allowed")
    if text.lower() != text and text.upper() != text:
        raise KeyFormatError("the key mixes upper and lower case")
    lowered = text.lower()
    separator = lowered.rfind("1")
    if separator < 1 or separator + 7 > len(lowered):
        raise KeyFormatError("the key is too short or has no separator")
    hrp, rest = lowered[:separator], lowered[separator + 1 :]
    try:
        words = [_CHARSET_INDEX[c] for c in rest]
    except KeyError:
        raise KeyFormatError("the key contains characters that are not allowed") from None
    if _polymod(_expand_hrp(hrp) + words) != 1:
        raise KeyFormatError("the key's checksum is wrong (a character was mistyped)")
    return hrp, bytes(_regroup(words[:-6], 5, 8, pad=False))
