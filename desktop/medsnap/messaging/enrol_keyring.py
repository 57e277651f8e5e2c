"""Enrolment and the OS keyring: the one-time code is spent only where the keys can be kept.

Redeeming the code registers the clinician's new keys at the endpoint and uses the code up.
If the keyring then refused the key file, the keys would exist nowhere and the clinician
would be locked out until IT issued a new code; so the keyring is checked first, and a
refusal after redeeming (rare: it answered a moment before) says truthfully what happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medsnap.crypto.keystore import KeyStore
    from medsnap.crypto.keystore_errors import KeyStoreError

#: the probe entry's name: it has a space, so it is never a staff id (never anyone's keys)
PROBE_NAME = "enrolment check"


def check_keyring_can_store(keystore: KeyStore, staff_id: str) -> None:
    """Raise the keyring's typed error (none running, locked, refusing writes, waiting on a
    prompt: KeyringNotAnswering after a time limit) unless it answers and keeps an entry.
    Changes nothing: the probe entry is removed again."""
    from medsnap.crypto.keystore_time_limit import within_time_limit

    within_time_limit(lambda: _probe(keystore, staff_id))


def _probe(keystore: KeyStore, staff_id: str) -> None:
    from medsnap.crypto.keystore_errors import KeyringUnavailable

    keystore.has(staff_id)  # KeyringMissing, KeyringLocked, KeyringUnavailable
    backend = keystore.backend
    try:
        backend.set_password(keystore.service, PROBE_NAME, "MedSnap can store keys here")
        stored = backend.get_password(keystore.service, PROBE_NAME)
        backend.delete_password(keystore.service, PROBE_NAME)
    except Exception as error:  # each keyring backend raises its own types
        raise KeyringUnavailable(f"it did not store a test entry: {error}") from None
    if stored != "MedSnap can store keys here":
        raise KeyringUnavailable("a test entry did not read back as it was written")


def keys_not_kept(staff_id: str, url: str, error: KeyStoreError) -> KeyStoreError:
    """The error for a keyring that refused the key file after the code was redeemed."""
    from medsnap.crypto.keystore_errors import KeyStoreError

    detail = getattr(error, "detail", "") or "it refused the key file"
    return KeyStoreError(
        f"The endpoint at {url} accepted your one-time code and issued certificates for "
        f"{staff_id}, so that code is now used up. But this workstation's system keyring "
        f"did not keep your new keys ({detail}), so they are stored nowhere, not here and "
        "not at the endpoint, and signing in will not find them. Ask IT to check the "
        "keyring service (on Linux: the Secret Service, such as GNOME Keyring) and to give "
        "you a new enrolment code, then enrol again with it.")
