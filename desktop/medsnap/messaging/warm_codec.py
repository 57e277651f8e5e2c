"""The warm runner's frame contents: None, booleans, integers, text, lists and text-keyed
dicts, without the json module.

A ``medsnap`` command decides in its first milliseconds whether a warm runner can run it
(``warm_client``); importing json there costs ~7 ms (its regular expressions are compiled on
import), more than the rest of the hand-over. Every value is a one-byte tag and, for text
and containers, a 4-byte big-endian length or count:

    N  None        T / F  True / False        I<len><ASCII decimal>  int
    S<len><UTF-8>  text (lone surrogates kept: the environment's undecodable bytes)
    L<count><values...>    D<count><S key, value...>

Decoding checks every length against what is left, so a damaged frame is a ValueError, never
a crash or an allocation larger than the frame.
"""

from __future__ import annotations

import struct

_COUNT = struct.Struct(">I")
MAX_DEPTH = 8  # the deepest frame is the request: dict -> env dict / argv list -> text


def encode(value: object) -> bytes:
    parts: list[bytes] = []
    _encode(value, parts, 0)
    return b"".join(parts)


def _encode(value: object, parts: list[bytes], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError("frame nested too deeply")
    if value is None:
        parts.append(b"N")
    elif value is True or value is False:
        parts.append(b"T" if value else b"F")
    elif isinstance(value, int):
        _sized(b"I", str(value).encode("ascii"), parts)
    elif isinstance(value, str):
        _sized(b"S", value.encode("utf-8", "surrogatepass"), parts)
    elif isinstance(value, (list, tuple)):
        parts.append(b"L" + _COUNT.pack(len(value)))
        for item in value:
            _encode(item, parts, depth + 1)
    elif isinstance(value, dict):
        parts.append(b"D" + _COUNT.pack(len(value)))
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("frame keys are text")
            _encode(key, parts, depth + 1)
            _encode(item, parts, depth + 1)
    else:
        raise TypeError(f"a frame cannot carry {type(value).__name__}")


def _sized(tag: bytes, data: bytes, parts: list[bytes]) -> None:
    parts.append(tag + _COUNT.pack(len(data)))
    parts.append(data)


def decode(data: bytes) -> object:
    value, end = _decode(memoryview(data), 0, 0)
    if end != len(data):
        raise ValueError("bytes after the frame's value")
    return value


def _decode(data: memoryview, at: int, depth: int) -> tuple[object, int]:
    if depth > MAX_DEPTH:
        raise ValueError("frame nested too deeply")
    if at >= len(data):
        raise ValueError("frame cut short")
    tag, at = bytes(data[at:at + 1]), at + 1
    if tag in (b"N", b"T", b"F"):
        return {b"N": None, b"T": True, b"F": False}[tag], at
    count, at = _count(data, at)
    if tag in (b"I", b"S"):
        if count > len(data) - at:
            raise ValueError("frame cut short")
        raw = bytes(data[at:at + count])
        if tag == b"S":
            return raw.decode("utf-8", "surrogatepass"), at + count
        if not raw or not raw.lstrip(b"-").isdigit():
            raise ValueError("not a number")
        return int(raw), at + count
    if count > len(data) - at:  # every value takes a byte at least
        raise ValueError("frame cut short")
    if tag == b"L":
        items = []
        for _ in range(count):
            item, at = _decode(data, at, depth + 1)
            items.append(item)
        return items, at
    if tag == b"D":
        mapping = {}
        for _ in range(count):
            key, at = _decode(data, at, depth + 1)
            if not isinstance(key, str):
                raise ValueError("frame keys are text")
            mapping[key], at = _decode(data, at, depth + 1)
        return mapping, at
    raise ValueError("unknown value in frame")


def _count(data: memoryview, at: int) -> tuple[int, int]:
    if len(data) - at < _COUNT.size:
        raise ValueError("frame cut short")
    return _COUNT.unpack_from(data, at)[0], at + _COUNT.size
