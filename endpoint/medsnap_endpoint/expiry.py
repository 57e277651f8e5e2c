"""The expiry sweep: unacknowledged messages past retention lose their ciphertext, and old
metadata, nonces, rate-limit windows and enrolment challenges are purged. Idempotent, so every
serving process may run it on a timer and an administrator may run it by hand."""

from __future__ import annotations

import time

from medsnap_endpoint import audit
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database


def sweep(database: Database, settings: Settings, *, now: int | None = None) -> dict[str, int]:
    now = int(time.time()) if now is None else now
    with database.transaction(write=True) as tx:
        expiring = tx.all("SELECT d.message_id, d.recipient FROM deliveries d "
                          "JOIN messages m ON m.id = d.message_id "
                          "WHERE d.status = 'stored' AND m.expires_at <= ?", (now,))
        for message_id, recipient in expiring:
            tx.execute("UPDATE deliveries SET status = 'expired', expired_at = ? "
                       "WHERE message_id = ? AND recipient = ?", (now, message_id, recipient))
        chunks = tx.run("DELETE FROM message_chunks WHERE message_id IN ("
                        "SELECT m.id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM deliveries d "
                        "WHERE d.message_id = m.id AND d.status = 'stored'))")
        purged = tx.run("DELETE FROM messages WHERE expires_at <= ?",
                        (now - settings.metadata_retention_seconds,))
        tx.run("DELETE FROM request_nonces WHERE expires_at <= ?", (now,))
        tx.run("DELETE FROM rate_limits WHERE window_start <= ?", (now - 7200,))
        tx.run("DELETE FROM enrolment_challenges WHERE expires_at <= ?", (now,))
        tx.run("DELETE FROM durability_seals WHERE sealed_at <= ?", (now - 86400,))
        counts = {"expired_deliveries": len(expiring), "deleted_chunks": chunks,
                  "purged_messages": purged}
        if expiring or purged:
            audit.record(tx, actor="system", action="expiry_sweep", detail=counts, at=now)
    return counts
