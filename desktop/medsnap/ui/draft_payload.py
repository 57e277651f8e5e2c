"""What an encrypted draft holds, and how the Drafts list names one (no Qt).

Payload: the document JSON (``medsnap.document`` v1) and the picture as PNG, joined by NUL.
The header also keeps what the send panel held (colleague, note, declaration, priority,
expiry) under "compose", so a restored draft is ready to send as it was.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass


def draft_payload(document, source_name: str, compose: dict | None = None) -> bytes:
    from medsnap.document import document_to_json

    pixels = io.BytesIO()
    document.picture.image.save(pixels, "PNG", compress_level=1)
    header = {"document": document_to_json(document), "source_name": source_name,
              "compose": compose or {}}
    return json.dumps(header).encode("utf-8") + b"\0" + pixels.getvalue()


def read_payload(payload: bytes) -> tuple[dict, bytes, str, dict]:
    header, _, png = payload.partition(b"\0")
    value = json.loads(header.decode("utf-8"))
    return (value["document"], png, str(value.get("source_name") or "Restored picture"),
            dict(value.get("compose") or {}))


def also_kept(waiting: int, more: bool) -> str:
    """The drafts not reopened, said so that none is kept unknown to its author."""
    if waiting <= 0:
        return ""
    pictures = f"{waiting}{' more' if more else ''} unsent picture{'s' if waiting > 1 else ''}"
    return (f"{pictures.capitalize()} kept for you as encrypted drafts: Messages ▸ Drafts… "
            "lists them.")


@dataclass(frozen=True)
class DraftSummary:
    """One kept draft as the Drafts list shows it (read from the decrypted header)."""

    id: str
    saved_at: float
    name: str        # the picture's name when it was opened
    to_name: str     # the colleague chosen for it, "" if none yet
    readable: bool   # False: damaged, or sealed to another key (left in place)
