"""A keyring backend in one JSON file, so that several `medsnap` processes of one test share it.

Test-only, like tests/keyring_backends.py (never shipped). Selected in child processes with
PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring and MEDSNAP_TEST_KEYRING_FILE=PATH.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring_backends import MemoryKeyring

FILE_ENV = "MEDSNAP_TEST_KEYRING_FILE"


class FileKeyring(MemoryKeyring):
    priority = 1  # only ever chosen explicitly (PYTHON_KEYRING_BACKEND)

    def __init__(self, path: str | os.PathLike | None = None):
        super().__init__()
        self.path = Path(path or os.environ[FILE_ENV])
        if self.path.exists():
            raw = json.loads(self.path.read_text())
            self.entries = {(s, u): p for s, u, p in raw}

    def _save(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps([[s, u, p] for (s, u), p in self.entries.items()]))
        os.replace(temporary, self.path)

    def set_password(self, service: str, username: str, password: str) -> None:
        super().set_password(service, username, password)
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        super().delete_password(service, username)
        self._save()
