"""Drafts: the open document autosaved as an age file to the clinician's own key.

The payload is whatever the window serialises (the document and the source picture's
bytes, for instance); it is encrypted in memory and written atomically as
``drafts/<draft id>.age``, so after a crash the last complete autosave is restored and a
half-written file never replaces it. Only the clinician's X25519 key can read it back. No
plaintext is ever written: the temporary file already holds ciphertext.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from medsnap.crypto import age
from medsnap.errors import DocumentError
from medsnap.files import replace_atomically
from medsnap.messaging.audit import AuditLog

_DRAFT_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class DraftInfo:
    id: str
    saved_at: float
    size: int


class DraftStore:
    def __init__(self, folder: Path, audit: AuditLog | None = None):
        self.folder = folder
        self.audit = audit

    @staticmethod
    def new_id() -> str:
        return secrets.token_hex(16)

    def _path(self, draft_id: str) -> Path:
        if not _DRAFT_ID.fullmatch(draft_id):
            raise DocumentError(f"{draft_id!r} is not a draft id.")
        return self.folder / f"{draft_id}.age"

    def save(self, draft_id: str, payload: bytes, owner: X25519PublicKey) -> None:
        """Encrypt ``payload`` to ``owner`` and replace the draft atomically."""
        sealed = age.encrypt(payload, [age.X25519Recipient(owner)])
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._path(draft_id)
        replace_atomically(target, sealed, prefix=".draft-")
        if self.audit:
            self.audit.record("draft_saved", id=draft_id, size=len(sealed))

    def pending(self) -> list[DraftInfo]:
        """Drafts left on disk (after a crash, or unsent), newest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.age"):
            if _DRAFT_ID.fullmatch(path.stem):
                stat = path.stat()
                found.append(DraftInfo(path.stem, stat.st_mtime, stat.st_size))
        return sorted(found, key=lambda d: d.saved_at, reverse=True)

    def restore(self, draft_id: str, key: X25519PrivateKey) -> bytes:
        try:
            data = self._path(draft_id).read_bytes()
        except FileNotFoundError:
            raise DocumentError(f"There is no draft {draft_id} on this computer.") from None
        try:
            return age.decrypt(data, [age.X25519Identity(key)], armored=False)
        except age.AgeError:
            raise DocumentError("This draft could not be restored: it is damaged or was saved "
                                "by someone else. It was left in place; ask IT if you need "
                                "it.") from None

    def delete(self, draft_id: str) -> bool:
        path = self._path(draft_id)
        existed = path.exists()
        path.unlink(missing_ok=True)
        if existed and self.audit:
            self.audit.record("draft_deleted", id=draft_id, at_time=int(time.time()))
        return existed
