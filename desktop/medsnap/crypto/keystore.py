"""Each clinician's private keys at rest: a passphrase-wrapped age file in the OS keyring.

Several clinicians may share one OS login on a ward workstation, so the keyring alone
separates nobody: the keys document (``clinician_keys``) is encrypted as an age v1 file to
the clinician's passphrase (scrypt stanza, logN >= 18) and only that file is stored, in
chunks (``keyring_chunks``) under service "MedSnap", one index entry per staff id. The same
bytes are exported for deposit at the endpoint and imported on another workstation.

Unlocked keys live in memory only, in :class:`UnlockedKeys`. ``lock()`` drops MedSnap's
references; see its docstring for what Python can and cannot promise about memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TypeVar

import keyring
from keyring.backend import KeyringBackend

from medsnap.crypto.age import (
    AgeError,
    NoIdentityMatched,
    ScryptIdentity,
    ScryptRecipient,
    decrypt,
    encrypt,
)
from medsnap.crypto.age.header import read_header
from medsnap.crypto.clinician_keys import (
    ClinicianKeys,
    KeyDocumentError,
    KeyDocumentTooNew,
    keys_from_document,
    keys_to_document,
)
from medsnap.crypto.keyring_chunks import (
    BackendFailed,
    BlobDamaged,
    BlobNotSaved,
    ChunkedKeyringEntry,
)
from medsnap.crypto.keystore_errors import (
    InvalidStaffId,
    KeyringLocked,
    KeyringMissing,
    KeyringUnavailable,
    KeysAlreadyStored,
    KeysDamaged,
    KeysLocked,
    KeysNotSaved,
    KeyStoreError,
    NoKeysOnThisWorkstation,
    WrongPassphrase,
)
from medsnap.crypto.keystore_unlocked import UnlockedKeys
from medsnap.crypto.passphrase import (
    WeakPassphrase,
    check_passphrase_strength,
    normalise_passphrase,
)

__all__ = [
    "ClinicianKeys", "InvalidStaffId", "KeyDocumentTooNew", "KeyStore", "KeyStoreError",
    "KeyringLocked", "KeyringUnavailable", "KeysAlreadyStored", "KeysDamaged", "KeysLocked",
    "KeysNotSaved", "NoKeysOnThisWorkstation", "UnlockedKeys", "WeakPassphrase",
    "WrongPassphrase", "check_passphrase_strength",
]

SERVICE = "MedSnap"
DEFAULT_LOG_N = 18
MIN_LOG_N = 18  # policy floor: never wrap more weakly, never accept a weaker file
MAX_LOG_N = 22  # the age command's own ceiling; stops a hostile file costing minutes
_STAFF_ID = re.compile(r"[A-Za-z0-9._@-]{1,64}")
_LOG_N = re.compile(r"[1-9][0-9]?")
T = TypeVar("T")


class KeyStore:
    """Create, unlock, re-wrap, export and import clinicians' passphrase-wrapped keys."""

    def __init__(
        self,
        service: str = SERVICE,
        keyring_backend: KeyringBackend | None = None,
        log_n: int = DEFAULT_LOG_N,
    ):
        if not MIN_LOG_N <= log_n <= MAX_LOG_N:
            raise ValueError(f"log_n must be between {MIN_LOG_N} and {MAX_LOG_N}")
        self.service = service
        self.log_n = log_n
        self._backend = keyring_backend

    # --- queries -----------------------------------------------------------------------
    def has(self, staff_id: str) -> bool:
        """True when this workstation holds wrapped keys for ``staff_id``."""
        entry = self._entry(staff_id)
        return _keyring_call(entry.exists)

    def export_wrapped(self, staff_id: str) -> bytes:
        """The wrapped age file, verified, for deposit at the endpoint (no passphrase needed)."""
        return self._read_wrapped(staff_id)

    # --- changes -----------------------------------------------------------------------
    def create(
        self, staff_id: str, passphrase: str, keys: ClinicianKeys, *, replace: bool = False
    ) -> None:
        """Wrap ``keys`` with a strong enough ``passphrase`` and store them."""
        entry = self._entry(staff_id)
        check_passphrase_strength(passphrase, staff_id)
        if not replace and _keyring_call(entry.exists):
            raise KeysAlreadyStored(staff_id)
        self._write(entry, staff_id, self._wrap(keys, passphrase))

    def unlock(self, staff_id: str, passphrase: str) -> UnlockedKeys:
        """Decrypt the stored keys into memory. WrongPassphrase changes nothing."""
        wrapped = self._read_wrapped(staff_id)
        return UnlockedKeys(staff_id, self._unwrap(staff_id, wrapped, passphrase))

    def change_passphrase(self, staff_id: str, old: str, new: str) -> None:
        """Re-wrap the same keys with ``new``; the old passphrase stops working."""
        check_passphrase_strength(new, staff_id)
        if normalise_passphrase(new) == normalise_passphrase(old):
            raise WeakPassphrase("it is the same as your current passphrase.")
        keys = self.unlock(staff_id, old)
        try:
            self._write(self._entry(staff_id), staff_id, self._wrap(keys.keys, new))
        finally:
            keys.lock()

    def replace_keys(self, staff_id: str, passphrase: str, keys: ClinicianKeys) -> None:
        """Store new keys or certificates under the current passphrase (proved by unlocking)."""
        self.unlock(staff_id, passphrase).lock()
        self._write(self._entry(staff_id), staff_id, self._wrap(keys, passphrase))

    def delete(self, staff_id: str) -> bool:
        """Remove the stored keys; False when there were none."""
        entry = self._entry(staff_id)
        return _keyring_call(entry.delete)

    def import_wrapped(
        self,
        staff_id: str,
        data: bytes,
        *,
        passphrase: str | None = None,
        replace: bool = False,
    ) -> None:
        """Store a wrapped file fetched from the endpoint.

        With ``passphrase`` the file is decrypted first, so a wrong passphrase or a damaged
        file is refused before anything stored is touched.
        """
        entry = self._entry(staff_id)
        self._check_wrapping(staff_id, data)
        if passphrase is not None:
            self._unwrap(staff_id, data, passphrase)
        if not replace and _keyring_call(entry.exists):
            raise KeysAlreadyStored(staff_id)
        self._write(entry, staff_id, data)

    # --- helpers -----------------------------------------------------------------------
    @property
    def backend(self) -> KeyringBackend:
        # Looked up on every use so that keyring.set_keyring() (tests, app start) applies.
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _entry(self, staff_id: str) -> ChunkedKeyringEntry:
        if not isinstance(staff_id, str) or not _STAFF_ID.fullmatch(staff_id):
            raise InvalidStaffId(str(staff_id))
        return ChunkedKeyringEntry(self.backend, self.service, staff_id)

    def _wrap(self, keys: ClinicianKeys, passphrase: str) -> bytes:
        recipient = ScryptRecipient(normalise_passphrase(passphrase), log_n=self.log_n)
        return encrypt(keys_to_document(keys), [recipient])

    def _unwrap(self, staff_id: str, wrapped: bytes, passphrase: str) -> ClinicianKeys:
        self._check_wrapping(staff_id, wrapped)
        identity = ScryptIdentity(normalise_passphrase(passphrase), max_log_n=MAX_LOG_N)
        try:
            document = decrypt(wrapped, [identity], armored=False)
        except NoIdentityMatched as error:
            raise WrongPassphrase(staff_id) from error
        except AgeError as error:
            raise KeysDamaged(staff_id, f"the key file is damaged ({error.detail}).") from error
        try:
            return keys_from_document(document)
        except KeyDocumentTooNew:
            raise  # its own message: update MedSnap
        except KeyDocumentError as error:
            raise KeysDamaged(staff_id, "the key document inside is damaged.") from error

    def _check_wrapping(self, staff_id: str, wrapped: bytes) -> None:
        """Only a single-passphrase age file with logN in [18, 22] is a MedSnap key file."""
        try:
            stanzas = read_header(io.BytesIO(wrapped)).stanzas
        except AgeError as error:
            raise KeysDamaged(staff_id, "it is not a MedSnap key file.") from error
        stanza = stanzas[0]
        if len(stanzas) != 1 or stanza.type != "scrypt" or len(stanza.args) != 2:
            raise KeysDamaged(staff_id, "it is not protected by a passphrase.")
        log_n = stanza.args[1]
        if not _LOG_N.fullmatch(log_n) or not MIN_LOG_N <= int(log_n) <= MAX_LOG_N:
            raise KeysDamaged(
                staff_id, "its passphrase protection is not of the strength MedSnap requires."
            )

    def _read_wrapped(self, staff_id: str) -> bytes:
        entry = self._entry(staff_id)
        try:
            wrapped = _keyring_call(entry.read)
        except BlobDamaged as error:
            raise KeysDamaged(staff_id, error.message) from error
        if wrapped is None:
            raise NoKeysOnThisWorkstation(staff_id)
        return wrapped

    def _write(self, entry: ChunkedKeyringEntry, staff_id: str, wrapped: bytes) -> None:
        try:
            _keyring_call(lambda: entry.write(wrapped))
        except BlobNotSaved as error:
            raise KeysNotSaved(staff_id, error.message) from error


def _keyring_call(call: Callable[[], T]) -> T:
    """Run a keyring operation, turning backend failures into KeyringUnavailable."""
    try:
        return call()
    except BackendFailed as error:
        if error.locked:
            raise KeyringLocked(error.detail) from error
        if error.missing:
            raise KeyringMissing() from error
        raise KeyringUnavailable(error.detail) from error
