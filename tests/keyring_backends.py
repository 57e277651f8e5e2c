"""An in-memory keyring backend for unit tests (never shipped; never keyrings.alt).

It behaves like a real backend for what MedSnap uses (get/set/delete by service and
username, ``PasswordDeleteError`` for a missing entry) and, like Windows Credential
Manager, refuses a value longer than 1280 characters, so chunking is exercised for real.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError, PasswordSetError

WINDOWS_CREDENTIAL_CHARACTERS = 1280


class MemoryKeyring(KeyringBackend):
    """Entries in a dict: {(service, username): password}."""

    @properties.classproperty
    def priority(cls) -> float:
        # Raising keeps keyring from ever choosing this backend on its own.
        raise RuntimeError("MemoryKeyring is for tests and must be set explicitly")

    def __init__(self, max_characters: int | None = WINDOWS_CREDENTIAL_CHARACTERS):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.max_characters = max_characters
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.max_characters is not None and len(password) > self.max_characters:
            raise PasswordSetError(
                f"value of {len(password)} characters exceeds {self.max_characters}"
            )
        self.entries[(service, username)] = password
        self.writes += 1

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such entry") from None

    def usernames(self, service: str) -> list[str]:
        return sorted(user for (svc, user) in self.entries if svc == service)
