"""A letter the endpoint hands over damaged: its bytes do not match the SHA-256 the endpoint
recorded when it was uploaded (its stored copy was damaged, or altered, at the endpoint).

Downloading it again gives the same bytes, so it must not stop the fetch: it used to be taken
for a failing endpoint, retried for ever, and every letter after it (an urgent one included)
waited behind it. It is kept instead as a refused item that names its sender, and it is never
acknowledged, so the endpoint does not report it delivered and keeps it until it expires.
"""

from __future__ import annotations

import json
import sqlite3
import time

REFUSAL = "DamagedAtEndpoint"


def damaged_reason(sender_staff_id: str, known: dict[str, dict]) -> str:
    name = known.get(sender_staff_id, {}).get("display_name")
    sender = f"{name} ({sender_staff_id})" if name else sender_staff_id
    return (f"This message from {sender} arrived damaged: the copy kept by the hospital's "
            "MedSnap service is not what was sent, so nothing from it was opened or shown. "
            f"Ask {sender} to send it again; tell IT if it happens again.")


def keep_damaged(db: sqlite3.Connection, audit, item_id: str, entry: dict,
                 known: dict[str, dict]) -> None:
    """Record ``entry`` (an inbox listing) as refused, damaged at the endpoint; audited."""
    sender = str(entry.get("sender", "?"))
    verdict = {"reason": damaged_reason(sender, known), "refusal": REFUSAL,
               "detail": "the body does not match the endpoint's recorded SHA-256",
               "from_staff_id": sender}
    db.execute("INSERT OR IGNORE INTO inbox (id, endpoint_sender, size, received_at, "
               "expires_at, state, verdict) VALUES (?, ?, 0, ?, ?, 'refused', ?)",
               (item_id, sender, int(time.time()), int(entry.get("expires_at") or 0),
                json.dumps(verdict)))
    audit.record("refused", id=item_id, reason=REFUSAL, detail=verdict["detail"])


def is_damaged(db: sqlite3.Connection, item_id: str) -> bool:
    row = db.execute("SELECT verdict FROM inbox WHERE id = ?", (item_id,)).fetchone()
    return row is not None and json.loads(row[0] or "{}").get("refusal") == REFUSAL
