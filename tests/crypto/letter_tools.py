"""Helpers that take a sealed letter apart and put it back together, as an attacker could."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from medsnap.crypto import age
from medsnap.crypto.archive import read_archive, write_archive
from medsnap.crypto.letter_parts import MEMBER_LIMITS

Members = list[tuple[str, bytes]]


def unpack(data: bytes, reader) -> Members:
    archive = age.decrypt(data, [age.X25519Identity(reader.encryption_key)])
    return [(m.name, m.data) for m in read_archive(archive, MEMBER_LIMITS)]


def repack(members: Members, to: list) -> bytes:
    return age.encrypt(write_archive(members),
                       [age.X25519Recipient(p.encryption_key.public_key()) for p in to])


def tamper(data: bytes, reader, to: list, change: Callable[[Members], Members]) -> bytes:
    return repack(change(unpack(data, reader)), to)


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def unb64url(text: bytes) -> bytes:
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def split_token(token: bytes) -> tuple[dict, dict, bytes]:
    header, payload, signature = token.split(b".")
    return json.loads(unb64url(header)), json.loads(unb64url(payload)), signature


def make_token(header: dict, payload: dict, *, key=None, signature: bytes = b"") -> bytes:
    signing_input = (b64url(json.dumps(header).encode()) + b"."
                     + b64url(json.dumps(payload).encode()))
    if key is not None:
        signature = b64url(key.sign(signing_input))
    return signing_input + b"." + signature


def change_manifest(rewrite: Callable[[dict, dict], None], *, key=None):
    """A ``change`` for :func:`tamper` that edits header and payload, optionally re-signing."""
    def change(members: Members) -> Members:
        header, payload, signature = split_token(members[0][1])
        rewrite(header, payload)
        token = make_token(header, payload, key=key, signature=signature)
        return [("manifest.jws", token), *members[1:]]
    return change
