"""Where the demo colleagues' wrapped keys live: a file in the demo folder.

The demo must start on any machine, including one with no Secret Service running (a fresh
desktop session, a server under Xvfb). Its colleagues are public, throwaway identities whose
passphrases are printed on screen, and what is stored is still their passphrase-wrapped age
file, so a file beside the demo database protects them no less than the OS keyring would.
Real clinicians' keys never come here: only demo staff ids on a workstation in demo mode.
"""

from __future__ import annotations

import json
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat.properties import classproperty
from keyring.errors import PasswordDeleteError

from medsnap.crypto.keystore import KeyStore
from medsnap.files import replace_atomically

DEMO_PREFIX = "demo."


class DemoFileKeyring(KeyringBackend):
    """keyring's interface over one JSON file; never chosen by keyring's own discovery."""

    @classproperty
    def priority(cls) -> float:  # keyring skips a backend whose priority raises
        raise RuntimeError("the demo keyring is only used when MedSnap asks for it")

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def _entries(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    @staticmethod
    def _key(service: str, username: str) -> str:
        return f"{service}\n{username}"

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[self._key(service, username)] = password
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        replace_atomically(self.path, json.dumps(entries, indent=1).encode("utf-8"))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(self._key(service, username), None) is None:
            raise PasswordDeleteError(f"no demo key stored for {username}")
        replace_atomically(self.path, json.dumps(entries, indent=1).encode("utf-8"))


def demo_keystore(home: Path) -> KeyStore:
    return KeyStore(keyring_backend=DemoFileKeyring(home / "demo" / "keyring.json"))


def keystore_for(workstation, staff_id: str) -> KeyStore:
    """The demo file store for a demo colleague on a demo workstation, else the OS keyring."""
    if staff_id.startswith(DEMO_PREFIX) and workstation.read().get("demo"):
        return demo_keystore(workstation.home)
    return KeyStore()
