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
import logging

log = logging.getLogger(__name__)


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
            log.warning("the audit head could not be read from the keyring", exc_info=True)
            return None

    def write(self, entries: int, head: str) -> None:
        value = json.dumps({"entries": entries, "hash": head}, sort_keys=True)
        try:
            self.keystore.backend.set_password(self.keystore.service, self.username, value)
        except Exception:  # noqa: BLE001 - the event is logged; only truncation goes unseen
            log.warning("the audit head could not be kept in the keyring", exc_info=True)


def audit_head_for(workstation, staff_id: str, keystore=None) -> KeyringAuditHead:
    from medsnap.messaging.demo_keyring import keystore_for

    return KeyringAuditHead(keystore or keystore_for(workstation, staff_id), staff_id)
