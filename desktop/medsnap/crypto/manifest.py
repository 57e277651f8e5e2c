"""The signed manifest payload of a letter: who, to whom, when, and the hash of every part.

Permanent field names (docs/FORMAT.md "Letters"): add fields only with a new ``version``.
A reader refuses unknown fields, wrong types and other versions rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from medsnap.crypto.jws import canonical_json, strict_json
from medsnap.crypto.letter_errors import MalformedLetter

FORMAT = "medsnap-letter"
VERSION = 1
MAX_RECIPIENTS = 64
MAX_PARTS = 8
MAX_TEXT = 256
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_SENDER_KEYS = {"email", "staff_id", "name", "role"}
_RECIPIENT_KEYS = {"email", "enc_cert_sha256"}
_PART_KEYS = {"name", "media_type", "size", "sha256"}
_TOP_KEYS = {"format", "version", "id", "iat", "exp", "sender", "recipients", "parts"}


@dataclass(frozen=True)
class SenderClaim:
    email: str
    staff_id: str
    name: str
    role: str


@dataclass(frozen=True)
class RecipientClaim:
    email: str
    enc_cert_sha256: str


@dataclass(frozen=True)
class PartClaim:
    name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    message_id: str
    issued_at: int
    expires_at: int
    sender: SenderClaim
    recipients: tuple[RecipientClaim, ...]
    parts: tuple[PartClaim, ...]

    def to_json(self) -> bytes:
        return canonical_json({
            "format": FORMAT, "version": VERSION, "id": self.message_id,
            "iat": self.issued_at, "exp": self.expires_at,
            "sender": {"email": self.sender.email, "staff_id": self.sender.staff_id,
                       "name": self.sender.name, "role": self.sender.role},
            "recipients": [{"email": r.email, "enc_cert_sha256": r.enc_cert_sha256}
                           for r in self.recipients],
            "parts": [{"name": p.name, "media_type": p.media_type, "size": p.size,
                       "sha256": p.sha256} for p in self.parts],
        })


def _object(value: Any, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise MalformedLetter(f"manifest {what} does not have the expected fields")
    return value


def _text(value: Any, what: str, *, pattern: re.Pattern[str] | None = None,
          allow_empty: bool = False) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT or (not value and not allow_empty):
        raise MalformedLetter(f"manifest {what} is not valid text")
    if pattern is not None and not pattern.fullmatch(value):
        raise MalformedLetter(f"manifest {what} is not in the expected form")
    return value


def _integer(value: Any, what: str) -> int:
    if type(value) is not int or not 0 <= value < 2**53:
        raise MalformedLetter(f"manifest {what} is not a valid number")
    return value


def _list(value: Any, limit: int, what: str) -> list[Any]:
    if not isinstance(value, list) or not 1 <= len(value) <= limit:
        raise MalformedLetter(f"manifest {what} list is empty or too long")
    return value


def parse_manifest(payload: bytes) -> Manifest:
    top = _object(strict_json(payload, "manifest payload"), _TOP_KEYS, "payload")
    if top["format"] != FORMAT or top["version"] != VERSION or type(top["version"]) is not int:
        raise MalformedLetter("manifest is not a MedSnap letter manifest of version 1")
    sender = _object(top["sender"], _SENDER_KEYS, "sender")
    recipients = tuple(
        RecipientClaim(_text(r["email"], "recipient address"),
                       _text(r["enc_cert_sha256"], "recipient certificate hash", pattern=_HEX64))
        for r in (_object(item, _RECIPIENT_KEYS, "recipient")
                  for item in _list(top["recipients"], MAX_RECIPIENTS, "recipient")))
    parts = tuple(
        PartClaim(_text(p["name"], "part name"), _text(p["media_type"], "part type"),
                  _integer(p["size"], "part size"), _text(p["sha256"], "part hash",
                                                          pattern=_HEX64))
        for p in (_object(item, _PART_KEYS, "part")
                  for item in _list(top["parts"], MAX_PARTS, "part")))
    if len({p.name for p in parts}) != len(parts):
        raise MalformedLetter("manifest lists a part twice")
    manifest = Manifest(
        message_id=_text(top["id"], "message id", pattern=_HEX32),
        issued_at=_integer(top["iat"], "issue time"),
        expires_at=_integer(top["exp"], "expiry time"),
        sender=SenderClaim(_text(sender["email"], "sender address"),
                           _text(sender["staff_id"], "sender staff id"),
                           _text(sender["name"], "sender name"),
                           _text(sender["role"], "sender role", allow_empty=True)),
        recipients=recipients, parts=parts)
    if manifest.expires_at <= manifest.issued_at:
        raise MalformedLetter("manifest expires before it was issued")
    return manifest
