"""The audit row of a signed request refused because its clinician may no longer sign.

A revoked, expired or disabled clinician's device still holds its key; IT must see that it
kept trying (who, which route, why refused). Only a request whose signature verified against a
key this endpoint certified gets here, so nobody without such a key can write a row: unsigned
and badly signed requests are refused before any database write, as before. Each row also
stores the request's nonce (a replayed copy writes nothing) and counts against a per-clinician
budget of ``requests_per_minute`` refused requests (beyond it nothing more is recorded that
minute). Written in its own short transaction after the refusal: the admitted requests' paths
(:mod:`.admitted_work`, :mod:`.postgres_work`) are unchanged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from medsnap_endpoint import audit
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database

if TYPE_CHECKING:
    from medsnap_endpoint.auth import Verified

log = logging.getLogger("medsnap_endpoint.refusals")
ACTION = "request"
_CERTIFICATES = (
    "SELECT c.staff_id, c.revoked_at, c.not_after, k.enabled FROM certificates c "
    "LEFT JOIN clinicians k ON k.staff_id = c.staff_id "
    "WHERE c.key_id = ? AND c.usage = 'signing'")
_NEW_NONCE = ("INSERT INTO request_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?) "
              "ON CONFLICT DO NOTHING")
_SPENT = "SELECT hits FROM rate_limits WHERE bucket = ? AND window_start = ?"
_COUNT_REFUSAL = (
    "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.window_start = excluded.window_start "
    "THEN rate_limits.hits + 1 ELSE 1 END, "
    "window_start = excluded.window_start RETURNING hits")


def _outcome(rows: list[tuple], now: int) -> tuple[str, str] | None:
    """(staff id, outcome) of the key's certificates, or None if nothing stops it now."""
    current = [row for row in rows if row[1] is None and int(row[2]) > now]
    if current:
        staff_id, _revoked, _until, enabled = current[0]
        return (str(staff_id), "refused: disabled") if not int(enabled or 0) else None
    staff_id = str(rows[0][0])
    if any(row[1] is not None for row in rows):
        return staff_id, "refused: revoked"
    return staff_id, "refused: expired"


def record(database: Database, settings: Settings, verified: Verified, *, method: str,
           path: str, nonce_expiry: int) -> None:
    """Append the refused request's audit row (actor: its clinician; action ``request``;
    subject ``METHOD /path``; outcome ``refused: revoked|expired|disabled``), unless its nonce
    was seen before or the clinician's refusal budget for this minute is spent. Never raises:
    the client must still get its 401 (which tells the app its certificate was revoked) if
    the database cannot take the row; the failure is logged for IT."""
    try:
        _record(database, settings, verified, method=method, path=path,
                nonce_expiry=nonce_expiry)
    except Exception:  # noqa: BLE001 - the refusal stands; IT reads why in the log
        log.exception("could not audit a refused request to %s %s", method, path)


def _record(database: Database, settings: Settings, verified: Verified, *, method: str,
            path: str, nonce_expiry: int) -> None:
    now = verified.now
    window = now - now % 60
    with database.transaction() as tx:  # read first: a spent budget writes nothing at all
        rows = tx.all(_CERTIFICATES, (verified.key_id,))
        found = _outcome(rows, now) if rows else None
        if found is None:
            return
        staff_id, outcome = found
        spent = tx.one(_SPENT, (f"refused:{staff_id}", window))
        if spent is not None and int(spent[0]) >= settings.requests_per_minute:
            return
    with database.transaction(write=True) as tx:
        if tx.run(_NEW_NONCE, (verified.key_id, verified.nonce, nonce_expiry)) == 0:
            return  # a replayed copy: recorded once already
        hits = tx.one(_COUNT_REFUSAL, (f"refused:{staff_id}", window))
        if hits is not None and int(hits[0]) > settings.requests_per_minute:
            return
        audit.record(tx, actor=staff_id, action=ACTION, subject=f"{method} {path}",
                     detail={"key_id": verified.key_id}, outcome=outcome, at=now)
