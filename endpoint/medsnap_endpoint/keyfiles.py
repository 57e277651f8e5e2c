"""Deposited key files: each clinician's passphrase-wrapped (age scrypt) private keys, as opaque
bytes, so they can sign in on another workstation. Fetching needs no device key (the new
workstation has none yet), so it is rate-limited per staff id and per client, and audited."""

from __future__ import annotations

import time

from medsnap_endpoint import audit, ratelimit
from medsnap_endpoint.errors import NotFound, RateLimited
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database


def deposit(database: Database, staff_id: str, content: bytes) -> dict:
    now = int(time.time())
    with database.transaction(write=True) as tx:
        tx.execute("INSERT INTO key_files (staff_id, content, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (staff_id) DO UPDATE SET content = excluded.content, "
                   "updated_at = excluded.updated_at", (staff_id, content, now))
        audit.record(tx, actor=staff_id, action="key_file_deposit", subject=staff_id,
                     detail={"size": len(content)}, at=now)
    return {"staff_id": staff_id, "size": len(content), "updated_at": now}


def fetch(database: Database, settings: Settings, staff_id: str, client: str) -> bytes:
    try:
        # the client first: attempts refused for one staff id still count against it
        ratelimit.hit(database, f"keyfile-client:{client}",
                      limit=settings.key_fetches_per_client_per_hour, window_seconds=3600)
        ratelimit.hit(database, f"keyfile-staff:{staff_id}",
                      limit=settings.key_fetches_per_staff_per_hour, window_seconds=3600)
    except RateLimited:
        audit.record_now(database, actor=f"client:{client}", action="key_file_fetch",
                         subject=staff_id, outcome="rate_limited")
        raise
    with database.transaction(write=True) as tx:
        row = tx.one("SELECT k.content FROM key_files k JOIN clinicians c "
                     "ON c.staff_id = k.staff_id WHERE k.staff_id = ? AND c.enabled = 1",
                     (staff_id,))
        audit.record(tx, actor=f"client:{client}", action="key_file_fetch", subject=staff_id,
                     outcome="ok" if row else "not_found")
    if row is None:
        raise NotFound("No key file is deposited for this staff id. Enrol this workstation "
                       "with a new code from IT instead.", code="no_key_file")
    return bytes(row[0])
