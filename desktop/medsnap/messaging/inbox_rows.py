"""The inbox table's schema, and its rows as ``InboxItem``: what ``Inbox`` stores and lists.

A row keeps the verdict of opening the letter (``verdict_of``: the signed facts, the checks
and which certificate verified it), never the image or the note in plaintext.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from medsnap.crypto.letter_model import OpenedLetter
from medsnap.messaging.inbox_preview import Preview
from medsnap.messaging.inbox_revocation import mark_text

INBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id TEXT PRIMARY KEY,
    endpoint_sender TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'unverified',
    verdict TEXT NOT NULL DEFAULT '{}',
    opened_at INTEGER,
    read_receipt_sent INTEGER NOT NULL DEFAULT 0  -- or, refused, its refusal receipt
);
-- letters received before they were kept as files (letter_files): read, and deleted, as before
CREATE TABLE IF NOT EXISTS inbox_ciphertext (
    id TEXT PRIMARY KEY REFERENCES inbox (id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
"""


@dataclass(frozen=True)
class InboxItem:
    id: str
    endpoint_sender: str
    size: int
    received_at: int
    expires_at: int
    state: str  # unverified, verified, refused, opened
    verdict: dict
    opened_at: int | None
    preview: Preview | None = None  # decrypted for the list only (``with_previews``)

    def as_json(self) -> dict:
        return {"id": self.id, "state": self.state, "size": self.size,
                "received_at": self.received_at, "expires_at": self.expires_at,
                "opened_at": self.opened_at, **self.verdict}

    @property
    def shown_at(self) -> int:
        """The time a listing shows (and sorts by): the sender's signed time, else when it
        arrived here (a refused letter's claimed time is not trusted)."""
        trusted = self.state != "refused" and self.verdict.get("issued_at")
        return trusted or self.received_at

    @property
    def revocation_mark(self) -> str:
        """"⚠ sender revoked since …" and the like for the list; "" normally."""
        return mark_text(self.verdict)


ITEM_COLUMNS = "id, endpoint_sender, size, received_at, expires_at, state, verdict, opened_at"


def item_from_row(row: tuple) -> InboxItem:
    return InboxItem(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7])


def verdict_of(letter: OpenedLetter) -> dict:
    sender = letter.sender
    return {"message_id": letter.message_id, "from": sender.display_name,
            "from_staff_id": sender.staff_id, "from_email": sender.email,
            "from_role": sender.role, "issued_at": int(letter.issued_at.timestamp()),
            "media_type": letter.media_type, "image_size": len(letter.image),
            "declaration": letter.declaration,
            "checks": list(letter.verification.checks),
            "revocation_checked": letter.verification.revocation_checked,
            # this workstation's record of verifying it, and by which certificate: what a
            # later revocation of the sender is compared with (inbox_revocation)
            "verified_at": int(time.time()),
            "signer_serial": str(letter.verification.signer_certificate_serial)}
