"""Fixed-window rate limits kept in the database, so they hold across every serving process."""

from __future__ import annotations

import time

from medsnap_endpoint.errors import RateLimited
from medsnap_endpoint.storage.base import Database


def hit(database: Database, bucket: str, *, limit: int, window_seconds: int,
        now: float | None = None) -> None:
    """Count one request in ``bucket``; raise RateLimited once ``limit`` is passed this window."""
    now_s = int(time.time() if now is None else now)
    window = now_s - now_s % window_seconds
    with database.transaction(write=True, durable=False) as tx:
        row = tx.one(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (bucket) DO UPDATE SET "
            "hits = CASE WHEN rate_limits.window_start = excluded.window_start "
            "THEN rate_limits.hits + 1 ELSE 1 END, "
            "window_start = excluded.window_start RETURNING hits",
            (bucket, window))
    if row and int(row[0]) > limit:
        retry_after = window + window_seconds - now_s
        raise RateLimited("Too many requests from this client; nothing was changed. "
                          f"Try again in {retry_after} seconds.", retry_after=max(retry_after, 1))


def sweep(database: Database, *, older_than: int) -> int:
    with database.transaction(write=True) as tx:
        return tx.run("DELETE FROM rate_limits WHERE window_start < ?", (older_than,))
