"""The parts of a letter besides the manifest: the image and ``note.json``."""

from __future__ import annotations

import hashlib
from typing import Any

from medsnap.crypto.archive import Member
from medsnap.crypto.jws import canonical_json, strict_json
from medsnap.crypto.letter_errors import MalformedLetter, PartMismatch
from medsnap.crypto.letter_model import (DECLARATIONS, IMAGE_MEMBERS, MAX_IMAGE_BYTES,
                                         MAX_MANIFEST_BYTES, MAX_NOTE_CHARS,
                                         MAX_NOTE_JSON_BYTES)
from medsnap.crypto.manifest import PartClaim

MANIFEST_MEMBER = "manifest.jws"
NOTE_MEMBER = "note.json"
NOTE_MEDIA_TYPE = "application/json"
MEMBER_LIMITS = {MANIFEST_MEMBER: MAX_MANIFEST_BYTES, NOTE_MEMBER: MAX_NOTE_JSON_BYTES,
                 **{name: MAX_IMAGE_BYTES for name in IMAGE_MEMBERS.values()}}
_MEDIA_OF_MEMBER = {name: media for media, name in IMAGE_MEMBERS.items()}
_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def image_matches_type(image: bytes, media_type: str) -> bool:
    return media_type in _MAGIC and image.startswith(_MAGIC[media_type])


def note_json(note: str, declaration: str, annotations: Any) -> bytes:
    return canonical_json({"note": note, "declaration": declaration,
                           "annotations": annotations})


def parse_note(data: bytes) -> tuple[str, str, Any]:
    value = strict_json(data, "note")
    if not isinstance(value, dict) or set(value) != {"note", "declaration", "annotations"}:
        raise MalformedLetter("note does not have the expected fields")
    note, declaration = value["note"], value["declaration"]
    if not isinstance(note, str) or len(note) > MAX_NOTE_CHARS:
        raise MalformedLetter("note text is missing or too long")
    if declaration not in DECLARATIONS:
        raise MalformedLetter("note has an unknown patient-identifiability declaration")
    return note, declaration, value["annotations"]


def part_claim(name: str, media_type: str, data: bytes) -> PartClaim:
    return PartClaim(name, media_type, len(data), hashlib.sha256(data).hexdigest())


def check_member_order(members: list[Member]) -> str:
    """Exactly manifest, one image, note, in that order; returns the image's media type."""
    names = [m.name for m in members]
    if len(names) != 3 or names[0] != MANIFEST_MEMBER or names[2] != NOTE_MEMBER \
            or names[1] not in _MEDIA_OF_MEMBER:
        raise MalformedLetter(f"letter archive holds {names[:5]}, expected manifest, image, note")
    return _MEDIA_OF_MEMBER[names[1]]


def check_parts(claims: tuple[PartClaim, ...], members: list[Member], media_type: str) -> None:
    """Every signed part claim matches the member with the same name, in the same order."""
    expected = [(members[1].name, media_type), (NOTE_MEMBER, NOTE_MEDIA_TYPE)]
    if [(c.name, c.media_type) for c in claims] != expected:
        raise PartMismatch("the signed list of parts does not match the letter's contents")
    for claim, member in zip(claims, members[1:]):
        if claim.size != len(member.data):
            raise PartMismatch(f"{member.name} has a different size than signed")
        if claim.sha256 != (member.sha256 or hashlib.sha256(member.data).hexdigest()):
            raise PartMismatch(f"{member.name} has a different SHA-256 than signed")
    if not image_matches_type(members[1].data, media_type):
        raise MalformedLetter(f"{members[1].name} is not a {media_type} image")
