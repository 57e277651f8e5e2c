"""Unlock after a lock: the same clinician's keys back into the same session.

A lock (idle or asked for) drops the keys but keeps the session: its profile, its endpoint
connection, its audit log. Unlocking therefore costs exactly one scrypt derivation (the
passphrase opens the wrapped keys; logN 18 is the policy floor and stays) and nothing else:
no new session, no endpoint round trip, no profile or workstation writes. A wrong passphrase
changes nothing and leaves the session locked.
"""

from __future__ import annotations

from medsnap.crypto.keystore import KeyStore, KeyStoreError, WrongPassphrase
from medsnap.messaging.demo_keyring import keystore_for
from medsnap.messaging.session import Session
from medsnap_endpoint.client import DeviceKeys


class WrongUnlockPassphrase(WrongPassphrase):
    """Said on the lock screen: the passphrase is wrong and nothing else happened."""

    def __init__(self) -> None:
        KeyStoreError.__init__(
            self, "Wrong passphrase. MedSnap stays locked; your picture and your messages are "
            "kept safe. Check Caps Lock and the keyboard layout, then try again.")


def unlock_session(session: Session, passphrase: str, keystore: KeyStore | None = None) -> None:
    """Open the session's keys again with ``passphrase`` (one scrypt derivation)."""
    if not session.keys.is_locked:
        return
    keystore = keystore or keystore_for(session.workstation, session.staff_id)
    try:
        keys = keystore.unlock(session.staff_id, passphrase)
    except WrongPassphrase:
        session.audit.record("unlock_refused", staff_id=session.staff_id, why="passphrase")
        raise WrongUnlockPassphrase() from None
    session.keys = keys
    session.transport.set_keys(DeviceKeys(encryption=keys.encryption_key,
                                          signing=keys.signing_key))
    session.touch()
    session.audit.record("unlock", staff_id=session.staff_id)
