"""Typed errors of the key store; each message says what happened, what is safe, what to do."""

from __future__ import annotations

from medsnap.errors import CryptoError


class KeyStoreError(CryptoError):
    """Base for every key store error."""


class WrongPassphrase(KeyStoreError):
    def __init__(self, staff_id: str):
        super().__init__(
            f"That passphrase does not unlock the keys of {staff_id}. Nothing was changed and "
            "your keys are safe. Check Caps Lock and the keyboard layout, then try again."
        )


class NoKeysOnThisWorkstation(KeyStoreError):
    def __init__(self, staff_id: str):
        super().__init__(
            f"There are no keys for {staff_id} on this workstation yet. Sign in with your staff "
            "id to fetch your keys from the hospital server (your passphrase stays the same), "
            "or ask IT to set you up."
        )


class KeysAlreadyStored(KeyStoreError):
    def __init__(self, staff_id: str):
        super().__init__(
            f"Keys for {staff_id} are already stored on this workstation; they were left as "
            "they are. To use a new passphrase, change it instead of creating new keys."
        )


class KeysDamaged(KeyStoreError):
    """The stored (or imported) wrapped keys are incomplete, altered or not ours."""

    def __init__(self, staff_id: str, what: str):
        super().__init__(
            f"The keys stored for {staff_id} cannot be used: {what} Nothing was changed. "
            "Sign in with your staff id to fetch your keys again from the hospital server, "
            "or ask IT for help."
        )
        self.what = what


class KeyringUnavailable(KeyStoreError):
    """The OS keyring (Secret Service, Credential Manager, Keychain) could not be used."""

    def __init__(self, detail: str):
        super().__init__(
            "The system keyring, where MedSnap keeps your passphrase-protected keys, is not "
            "available on this workstation. Nothing was changed. Try again in a moment; if it "
            "keeps happening, ask IT to check the keyring service (on Linux: the Secret "
            f"Service, such as GNOME Keyring). Technical detail: {detail}"
        )
        self.detail = detail


class KeyringMissing(KeyringUnavailable):
    """No keyring service at all for this login (none installed, or none running)."""

    def __init__(self):
        KeyStoreError.__init__(
            self,
            "This workstation has no system keyring running for your login, and MedSnap keeps "
            "your passphrase-protected keys only there. Nothing was changed. Ask IT to set "
            "up the keyring service (on Linux: the Secret Service, such as GNOME Keyring, "
            "started with the desktop session).",
        )
        self.detail = "no keyring service found"


class KeyringLocked(KeyringUnavailable):
    """The OS keyring is there but locked, and this session cannot show its unlock prompt."""

    def __init__(self, detail: str):
        KeyStoreError.__init__(
            self,
            "The system keyring, where MedSnap keeps your passphrase-protected keys, is locked "
            "and could not be unlocked. Nothing was changed. Lock the screen and sign in to "
            "the workstation again (that unlocks it), then retry; if it stays locked, ask IT. "
            f"Technical detail: {detail}",
        )
        self.detail = detail


class KeyringNotAnswering(KeyringUnavailable):
    """The OS keyring did not answer in time: it is most likely waiting on a prompt of its own
    (unlock the login keyring, or create one) that this session does not show."""

    def __init__(self, seconds: float, why: str = ""):
        KeyStoreError.__init__(
            self,
            f"The system keyring, where MedSnap keeps your passphrase-protected keys, did not "
            f"answer within {seconds:g} seconds{why}. It is probably asking for something: to "
            "unlock the login keyring, or to create one (a window of the desktop's keyring, "
            "e.g. GNOME Keyring, may be open, perhaps behind others). Nothing was used or "
            "changed: an enrolment code from IT still works. Unlock or create the login "
            "keyring, then try again; if no keyring window appears, ask IT to check the "
            "keyring service (on Linux: the Secret Service).",
        )
        self.detail = f"no answer within {seconds:g} s"


class KeysNotSaved(KeyStoreError):
    """Writing to the keyring did not read back the same; the previous keys are kept."""

    def __init__(self, staff_id: str, detail: str):
        super().__init__(
            f"Your keys for {staff_id} could not be saved in the system keyring ({detail}). "
            "Any keys stored before are unchanged and still work. Try again; if it keeps "
            "happening, ask IT to check the keyring service."
        )
        self.detail = detail


class KeysLocked(KeyStoreError):
    def __init__(self) -> None:
        super().__init__(
            "Your keys are locked. Unlock them with your passphrase to continue; nothing was "
            "lost."
        )


class InvalidStaffId(KeyStoreError):
    def __init__(self, staff_id: str):
        super().__init__(
            f"{staff_id!r} is not a valid staff id: use 1 to 64 letters, digits, dots, "
            "dashes, underscores or @. Nothing was changed."
        )
