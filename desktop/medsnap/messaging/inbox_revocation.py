"""Kept letters whose sender has been revoked since: the arrival record and the list's mark.

The rule (crypto/letter_revocation): a letter verified here when it arrived, before the
revocation date in the hospital's CRL, still opens with a caution, unless the CRL says the key
was compromised. The time compared is this workstation's record of verifying it on arrival
(``verified_at`` in the verdict; ``received_at`` for letters kept before it was recorded, which
were verified as they were stored), never the letter's own signed times.

The mark is kept in the verdict (``sender_revoked``: revoked_at, reason, opens) so that the
window's list and ``medsnap inbox`` show it without opening anything; it is set when a fetch
brings a CRL naming the sender, and when opening finds the revocation.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from cryptography import x509

from medsnap.crypto.letter_revocation import COMPROMISE_REASONS, SenderRevocation, revocation_of
from medsnap.crypto.validation import CertificateError, check_crl

#: states whose letters were verified on arrival
VERIFIED_STATES = ("verified", "opened")
_COMPROMISE_NAMES = frozenset(reason.value for reason in COMPROMISE_REASONS)


def arrival_of(state: str, verdict: dict, received_at: int) -> dt.datetime | None:
    """When this workstation verified the letter on arrival; None if it never did."""
    if state not in VERIFIED_STATES:
        return None
    stamp = verdict.get("verified_at") or received_at
    return dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc)


def revocation_mark(revocation: SenderRevocation, arrived_at: dt.datetime | None) -> dict:
    """The verdict's ``sender_revoked`` entry (permanent keys, plain JSON)."""
    return {"revoked_at": int(revocation.revoked_at.timestamp()), "reason": revocation.reason,
            "opens": revocation.spares(arrived_at)}


def marks_from_crl(items: list, crl: x509.CertificateRevocationList | None,
                   root: x509.Certificate) -> dict[str, dict]:
    """Item id -> new mark, for kept verified letters whose signer the (valid) CRL lists."""
    if crl is None:
        return {}
    try:
        check_crl(crl, root=root)
    except CertificateError:  # not the hospital's, or stale: it marks nothing
        return {}
    marks = {}
    for item in items:
        serial = item.verdict.get("signer_serial")
        if item.state not in VERIFIED_STATES or not serial:
            continue
        revocation = revocation_of(crl, int(serial))
        if revocation is None:
            continue
        mark = revocation_mark(revocation, arrival_of(item.state, item.verdict,
                                                      item.received_at))
        if item.verdict.get("sender_revoked") != mark:
            marks[item.id] = mark
    return marks


def set_mark(db: sqlite3.Connection, audit, item, mark: dict) -> None:
    """Keep ``mark`` in the item's verdict (the list shows it) and audit it, once."""
    if item.verdict.get("sender_revoked") == mark:
        return
    verdict = {**item.verdict, "sender_revoked": mark}
    db.execute("UPDATE inbox SET verdict = ? WHERE id = ?", (json.dumps(verdict), item.id))
    audit.record("sender_revoked", id=item.id, message_id=verdict.get("message_id"),
                 sender=verdict.get("from_staff_id"), **mark)


def mark_text(verdict: dict) -> str:
    """The list's words for a letter whose sender was revoked since; "" for any other."""
    mark = verdict.get("sender_revoked")
    if not isinstance(mark, dict):
        return ""
    day = dt.datetime.fromtimestamp(int(mark.get("revoked_at", 0))).strftime("%d %b %Y")
    if mark.get("opens"):
        return f"⚠ sender revoked since {day}"
    if mark.get("reason") in _COMPROMISE_NAMES:
        return f"⚠ sender revoked {day} (key compromised): will not open"
    return f"⚠ sender revoked {day}: will not open"


def will_not_open(verdict: dict) -> bool:
    """Its sender was revoked and the letter is refused: nothing its sender wrote (the note's
    preview, Urgent) is shown in the list either."""
    mark = verdict.get("sender_revoked")
    return isinstance(mark, dict) and not mark.get("opens")
