"""Append-only, hash-chained audit log of metadata (who, to whom, when, size, id, outcome).

Never content. Each row's hash covers its own fields and the previous row's hash, so editing,
deleting or reordering rows breaks the chain and :func:`verify` reports where. Truncating the
newest rows is caught by comparing with a head hash exported earlier (``--expect-head``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medsnap_endpoint.storage.base import Database, Transaction

GENESIS_HASH = "0" * 64
_LOCK = CHAIN_LOCK_NAME = "medsnap-audit-chain"


def _canonical(fields: list[Any]) -> str:
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":"))


def _row_hash(prev_hash: str, seq: int, at: int, actor: str, action: str, subject: str,
              detail: str, outcome: str) -> str:
    canonical = _canonical([seq, at, actor, action, subject, detail, outcome])
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


# PostgreSQL: the next row is made by the server from the last one in one statement instead of
# a read and an insert (its hash over the same bytes as _row_hash: "PREV\n[SEQ," then the rest
# of the canonical array); the chain lock was taken by an earlier statement, so this one's
# snapshot sees the last committed row
_APPEND_POSTGRESQL = (
    "INSERT INTO audit_log (seq, at, actor, action, subject, detail, outcome, prev_hash, hash) "
    "SELECT n.seq, ?, ?, ?, ?, ?, ?, n.prev, "
    "encode(sha256(convert_to(n.prev || E'\\n[' || n.seq || ',' || ?, 'UTF8')), 'hex') "
    "FROM (SELECT COALESCE(l.seq, 0) + 1 AS seq, COALESCE(l.hash, ?) AS prev FROM (SELECT 1) "
    "AS one LEFT JOIN (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS l "
    "ON TRUE) AS n")


def chain_lock(tx: Transaction) -> str | None:
    """The chain lock as an SQL expression (or None: nothing to add) for the caller's statement
    just before :func:`record` with ``locked=True``: no round trip for the lock on its own."""
    return tx.serializing(_LOCK)


def record(tx: Transaction, *, actor: str, action: str, subject: str = "",
           detail: dict[str, Any] | None = None, outcome: str = "ok",
           at: int | None = None, locked: bool = False) -> None:
    """Append one event inside ``tx`` (call it last, just before commit: it holds the chain
    lock; ``locked``: the statement before took it, see :func:`chain_lock`)."""
    if not locked:
        tx.serialize(_LOCK)
    at = int(time.time()) if at is None else at
    detail_text = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))
    fields = (at, actor, action, subject, detail_text, outcome)
    if tx.dialect == "postgresql":
        after_seq = _canonical([*fields])[1:]  # "AT,ACTOR,...]" without the opening bracket
        tx.execute(_APPEND_POSTGRESQL, (*fields, after_seq, GENESIS_HASH))
        return
    last = tx.one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    seq, prev_hash = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS_HASH)
    digest = _row_hash(prev_hash, seq, *fields)
    tx.execute("INSERT INTO audit_log (seq, at, actor, action, subject, detail, outcome, "
               "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (seq, *fields, prev_hash, digest))


def record_now(database: Database, **event: Any) -> None:
    """Record an event in its own transaction (for refusals whose main transaction rolled back)."""
    with database.transaction(write=True) as tx:
        record(tx, **event)


_COLUMNS = "seq, at, actor, action, subject, detail, outcome, prev_hash, hash"


def rows(database: Database, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every audit row in sequence order, read in batches."""
    after = 0
    while True:
        with database.transaction() as tx:
            page = tx.all(f"SELECT {_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                          (after, batch))
        if not page:
            return
        for row in page:
            yield dict(zip(_COLUMNS.split(", "), row))
        after = int(page[-1][0])


@dataclass
class Verification:
    rows: int = 0
    head: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(database: Database, *, expect_head: str | None = None) -> Verification:
    return _verify_chain(lambda: rows(database), expect_head)


def verify_export(path: Path, *, expect_head: str | None = None) -> Verification:
    """A file ``export-audit`` wrote (a copy kept elsewhere, say a SIEM's), checked as the
    database is; a line that is not an audit row is reported, not skipped."""
    return _verify_chain(lambda: _exported_rows(path), expect_head)


def _exported_rows(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            yield row if isinstance(row, dict) else {"line": number}


def _verify_chain(read: Callable[[], Iterable[dict[str, Any]]],
                  expect_head: str | None) -> Verification:
    result = Verification()
    expected_seq, prev_hash = 1, GENESIS_HASH
    for row in read():
        try:
            seq, claimed = int(row["seq"]), str(row["hash"])
            recomputed = _row_hash(row["prev_hash"], seq, int(row["at"]), row["actor"],
                                   row["action"], row["subject"], row["detail"],
                                   row["outcome"])
        except (KeyError, TypeError, ValueError):
            result.problems.append(f"line {row.get('line', result.rows + 1)}: not an audit "
                                   "row (damaged or written by hand)")
            result.rows += 1
            continue
        if seq != expected_seq:
            result.problems.append(f"row {seq}: expected row {expected_seq} here "
                                   "(rows deleted or inserted)")
        if row["prev_hash"] != prev_hash:
            result.problems.append(f"row {seq}: does not follow the row before it "
                                   "(rows deleted, inserted or reordered)")
        if recomputed != claimed:
            result.problems.append(f"row {seq}: contents do not match its hash (edited)")
        result.rows += 1
        expected_seq, prev_hash = seq + 1, claimed
    result.head = prev_hash
    if expect_head and expect_head != prev_hash:
        # a head exported earlier must still be in the chain (the log only ever grows)
        if not any(r.get("hash") == expect_head for r in read()):
            result.problems.append("the head hash exported earlier is no longer in the log "
                                   "(the newest rows were removed or rewritten)")
    return result
