"""The local audit log: one JSON line per event, each hashing the one before it.

Events (permanent names): enrol, signin, lock, sent, queued, cancelled, failed, delivered,
read, refused-by-recipient, not-delivered, received, opened, saved, deleted, refused,
draft_saved, draft_deleted. Entries carry
metadata only (ids, staff ids, sizes, reasons), never a note or an image.

Each line is ``{"seq", "at", "event", "detail", "prev", "hash"}`` where ``hash`` is SHA-256 of
the canonical JSON of the other fields. Changing, removing or reordering a line breaks the chain
at that line; ``verify`` names it. Cutting lines off the end is caught against the head kept
in the keyring at each append (``audit_head``), and against ``expect_head`` if given.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

GENESIS = "0" * 64
_APPENDING = threading.Lock()  # one append at a time: each line hashes the one before


def _digest(entry: dict) -> str:
    body = {key: entry[key] for key in ("seq", "at", "event", "detail", "prev")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _last_line(path: Path, tail: int = 64 * 1024) -> bytes:
    """The last non-empty line, read from the end (a log grows with every message)."""
    with open(path, "rb") as log:
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - tail))
        lines = [line for line in log.read().split(b"\n") if line.strip()]
    if size > tail and len(lines) < 2:  # the last line may have begun before the tail
        with open(path, "rb") as log:
            lines = [line for line in log if line.strip()]
    return lines[-1] if lines else b""


@dataclass
class AuditCheck:
    intact: bool
    entries: int
    head: str
    problems: list[str] = field(default_factory=list)
    head_kept: bool = False  # compared with the head kept outside the file (the keyring)


class AuditLog:
    def __init__(self, path: Path, head_keeper=None):
        self.path = path
        self.head_keeper = head_keeper  # audit_head.KeyringAuditHead, or None

    def _last(self) -> tuple[int, str]:
        if not self.path.exists():
            return 0, GENESIS
        last = _last_line(self.path)
        if not last:
            return 0, GENESIS
        entry = json.loads(last)
        return int(entry["seq"]), str(entry["hash"])

    def record(self, event: str, **detail: object) -> dict:
        """Append one event (flushed and fsynced before returning)."""
        with _APPENDING:  # the window queues on one thread while another syncs
            return self._append(event, detail)

    def _append(self, event: str, detail: dict) -> dict:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        seq, prev = self._last()
        entry = {"seq": seq + 1, "at": int(time.time()), "event": event,
                 "detail": detail, "prev": prev}
        entry["hash"] = _digest(entry)
        line = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(line)
            log.flush()
            os.fsync(log.fileno())
        if self.head_keeper is not None:
            self.head_keeper.write(entry["seq"], entry["hash"])
        return entry

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as log:
            return [json.loads(line) for line in log if line.strip()]

    def verify(self, expect_head: str | None = None) -> AuditCheck:
        problems: list[str] = []
        prev, count = GENESIS, 0
        hashes: list[str] = []
        if self.path.exists():
            with open(self.path, encoding="utf-8", errors="replace") as log:
                lines = [line for line in log if line.strip()]
        else:
            lines = []
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line)
                ok_shape = isinstance(entry, dict) and {"seq", "at", "event", "detail",
                                                        "prev", "hash"} <= set(entry)
            except ValueError:
                ok_shape = False
            if not ok_shape:
                problems.append(f"line {number}: not an audit entry")
                break
            if entry["seq"] != number:
                problems.append(f"line {number}: sequence {entry['seq']} out of order")
            if entry["prev"] != prev:
                problems.append(f"line {number}: does not follow the line before it")
            if _digest(entry) != entry["hash"]:
                problems.append(f"line {number}: its contents were changed")
            prev, count = str(entry["hash"]), number
            hashes.append(prev)
        if expect_head and expect_head != prev:
            problems.append("the log does not end where it did (lines removed from the end?)")
        kept = self.head_keeper.read() if self.head_keeper is not None else None
        if kept is not None:
            kept_entries, kept_hash = kept
            if count < kept_entries:
                problems.append(f"the log has {count} entries but had {kept_entries} (the "
                                "head kept in the keyring): lines were removed from the end")
            elif kept_entries and hashes[kept_entries - 1] != kept_hash:
                problems.append(f"line {kept_entries} is not the one the keyring recorded")
        return AuditCheck(not problems, count, prev, problems, head_kept=kept is not None)
