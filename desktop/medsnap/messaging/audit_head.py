"""Where the audit log's latest head is kept: the keyring, beside the clinician's key file.

A hash chain shows a changed or removed line, but a log cut short after its last intact line
still verifies. So each append also stores ``(entries, hash)`` of the new last line in the
keyring (the OS keyring, or the demo's key file for demo colleagues), which the log file's
own folder cannot roll back with it; ``verify`` then finds a log that ends before it. The
limit: someone able to rewrite the keyring entry as well can still cut the log short
(``medsnap audit verify --expect-head`` against a head noted elsewhere catches that too).
"""

from __future__ import annotations

import json


def _warn(what: str) -> None:
    import logging  # only when the keyring fails: logging costs every command ~5 ms to load

    logging.getLogger(__name__).warning(what, exc_info=True)


class KeyringAuditHead:
    """Reads and writes one small keyring entry; a keyring that fails is never fatal."""

    def __init__(self, keystore, staff_id: str):
        self.keystore = keystore
        self.username = f"{staff_id}#audit-head"  # beside the key file's "STAFF_ID" entries

    def read(self) -> tuple[int, str] | None:
        try:
            raw = self.keystore.backend.get_password(self.keystore.service, self.username)
            if raw is None:
                return None
            value = json.loads(raw)
            return int(value["entries"]), str(value["hash"])
        except Exception:  # noqa: BLE001 - no keyring, or a damaged entry: nothing to compare
            _warn("the audit head could not be read from the keyring")
            return None

    def write(self, entries: int, head: str) -> None:
        value = json.dumps({"entries": entries, "hash": head}, sort_keys=True)
        try:
            self.keystore.backend.set_password(self.keystore.service, self.username, value)
        except Exception:  # noqa: BLE001 - the event is logged; only truncation goes unseen
            _warn("the audit head could not be kept in the keyring")


def audit_head_for(workstation, staff_id: str, keystore=None) -> KeyringAuditHead:
    from medsnap.messaging.demo_keyring import keystore_for

    return KeyringAuditHead(keystore or keystore_for(workstation, staff_id), staff_id)


def parse_head(data: bytes) -> tuple[int, str]:
    """``(entries, hash)`` from the agent message ``AgentAuditHead.write`` sends."""
    value = json.loads(data)
    entries, digest = int(value["entries"]), str(value["hash"])
    if entries < 1 or len(digest) != 64 or digest.strip("0123456789abcdef"):
        raise ValueError("not an audit head")
    return entries, digest


class AgentAuditHead:
    """The head written by the key agent, which opens the keyring once for the whole sign-in:
    a command it serves then never loads the keyring library (25-35 ms per command, more
    with the Secret Service). Reading, and writing when the agent cannot (locked, or an
    agent started by an older MedSnap), go to the keyring directly."""

    def __init__(self, agent, workstation, staff_id: str):
        self.agent, self.workstation, self.staff_id = agent, workstation, staff_id
        self._direct: KeyringAuditHead | None = None

    def _keyring(self) -> KeyringAuditHead:
        if self._direct is None:
            self._direct = audit_head_for(self.workstation, self.staff_id)
        return self._direct

    def read(self) -> tuple[int, str] | None:
        return self._keyring().read()

    def write(self, entries: int, head: str) -> None:
        from medsnap.errors import MedSnapError

        value = json.dumps({"entries": entries, "hash": head}, sort_keys=True)
        try:
            if self.agent is not None:
                self.agent.call("audit-head", value.encode("ascii"))
                return
        except MedSnapError:  # locked meanwhile, or an older agent: "unknown operation"
            pass
        self._keyring().write(entries, head)
