"""The directory: enrolled, enabled clinicians with their current certificates."""

from __future__ import annotations

import time

from medsnap_endpoint.storage.base import Transaction

MAX_RESULTS = 50

_SELECT = (
    "SELECT k.staff_id, k.display_name, k.email, k.role, k.department, e.pem, s.pem "
    "FROM clinicians k "
    "JOIN certificates e ON e.staff_id = k.staff_id AND e.usage = 'encryption' "
    "AND e.revoked_at IS NULL AND e.not_after > ? "
    "JOIN certificates s ON s.staff_id = k.staff_id AND s.usage = 'signing' "
    "AND s.revoked_at IS NULL AND s.not_after > ? "
    "WHERE k.enabled = 1")


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _entry(row: tuple) -> dict:
    return {"staff_id": row[0], "display_name": row[1], "email": row[2], "role": row[3],
            "department": row[4], "encryption_certificate": row[5],
            "signing_certificate": row[6]}


def search(tx: Transaction, *, name: str = "", role: str = "", department: str = "",
           limit: int = MAX_RESULTS) -> list[dict]:
    now = int(time.time())
    sql, params = _SELECT, [now, now]
    if name:
        sql += (" AND (LOWER(k.display_name) LIKE ? ESCAPE '\\' OR LOWER(k.staff_id) LIKE ? "
                "ESCAPE '\\' OR LOWER(k.email) LIKE ? ESCAPE '\\')")
        params += [_like(name)] * 3
    if role:
        sql += " AND LOWER(k.role) LIKE ? ESCAPE '\\'"
        params.append(_like(role))
    if department:
        sql += " AND LOWER(k.department) LIKE ? ESCAPE '\\'"
        params.append(_like(department))
    sql += " ORDER BY k.display_name, k.staff_id LIMIT ?"
    params.append(max(1, min(limit, MAX_RESULTS)))
    return [_entry(row) for row in tx.all(sql, params)]


def lookup(tx: Transaction, staff_id: str) -> dict | None:
    now = int(time.time())
    row = tx.one(_SELECT + " AND k.staff_id = ?", (now, now, staff_id))
    return _entry(row) if row else None


def recipient_problems(tx: Transaction, staff_ids: list[str]) -> dict[str, list[str]]:
    """Which of ``staff_ids`` cannot receive: unknown, disabled, or not enrolled (one query)."""
    marks = ", ".join("?" * len(staff_ids))
    found = {str(row[0]): (bool(int(row[1])), bool(row[2])) for row in tx.all(
        "SELECT k.staff_id, k.enabled, EXISTS (SELECT 1 FROM certificates c "
        "WHERE c.staff_id = k.staff_id AND c.usage = 'encryption' AND c.revoked_at IS NULL "
        f"AND c.not_after > ?) FROM clinicians k WHERE k.staff_id IN ({marks})",
        (int(time.time()), *staff_ids))}
    problems: dict[str, list[str]] = {"unknown": [], "disabled": [], "not_enrolled": []}
    for staff_id in staff_ids:
        enabled, enrolled = found.get(staff_id, (False, False))
        if staff_id not in found:
            problems["unknown"].append(staff_id)
        elif not enabled:
            problems["disabled"].append(staff_id)
        elif not enrolled:
            problems["not_enrolled"].append(staff_id)
    return {kind: ids for kind, ids in problems.items() if ids}
