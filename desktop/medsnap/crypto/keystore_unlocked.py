"""Unlocked keys in memory (``UnlockedKeys``), apart from the key store so that holding them
does not import the OS keyring (the command line with a key agent never touches it)."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from medsnap.crypto.keystore_errors import KeysLocked

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from medsnap.crypto.clinician_keys import ClinicianKeys


class UnlockedKeys:
    """A clinician's keys, in memory only, until :meth:`lock`.

    Limits, honestly: ``lock()`` drops every reference MedSnap holds, so the key objects are
    freed (OpenSSL clears private key memory when it frees them). Python cannot overwrite
    the immutable ``bytes`` that briefly held the decrypted key document or the passphrase;
    those stay in freed heap memory until reused. Nobody who holds a reference obtained
    before ``lock()`` (``keys.signing_key`` kept in a variable) is stopped by it.
    """

    def __init__(self, staff_id: str, keys: ClinicianKeys):
        self.staff_id = staff_id
        self._keys: ClinicianKeys | None = keys

    @property
    def is_locked(self) -> bool:
        return self._keys is None

    @property
    def keys(self) -> ClinicianKeys:
        if self._keys is None:
            raise KeysLocked()
        return self._keys

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        return self.keys.signing_key

    @property
    def encryption_key(self) -> X25519PrivateKey:
        return self.keys.encryption_key

    @property
    def certificates_pem(self) -> bytes | None:
        return self.keys.certificates_pem

    def lock(self) -> None:
        self._keys = None

    def __enter__(self) -> UnlockedKeys:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.lock()

    def __repr__(self) -> str:
        state = "locked" if self.is_locked else "unlocked"
        return f"UnlockedKeys({self.staff_id!r}, {state})"
