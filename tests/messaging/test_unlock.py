"""Unlocking a locked session: one scrypt derivation, the same session, signed requests work
again; a wrong passphrase says so and leaves it locked."""

from __future__ import annotations

import pytest
from messaging_support import PASSPHRASE

from medsnap.crypto.age import scrypt
from medsnap.messaging.errors import NotSignedIn
from medsnap.messaging.unlock import WrongUnlockPassphrase, unlock_session


@pytest.fixture
def derivations(monkeypatch) -> list[int]:
    found: list[int] = []
    real = scrypt._wrap_key

    def counted(passphrase, salt, log_n):
        found.append(log_n)
        return real(passphrase, salt, log_n)

    monkeypatch.setattr(scrypt, "_wrap_key", counted)
    return found


def test_unlock_reopens_the_same_session_with_one_derivation(endpoint, make_desk, derivations):
    desk = make_desk()
    session = desk.enrol(endpoint, "Uma Unlock")
    try:
        transport = session.transport
        session.lock()
        with pytest.raises(NotSignedIn):
            session.clinician
        derivations.clear()

        with pytest.raises(WrongUnlockPassphrase) as refused:
            unlock_session(session, "a wrong but long passphrase 7", desk.keystore)
        assert refused.value.message.startswith("Wrong passphrase. MedSnap stays locked")
        assert session.keys.is_locked and derivations == [18]

        unlock_session(session, PASSPHRASE, desk.keystore)
        assert derivations == [18, 18]  # one derivation for the unlock, at the policy's logN
        assert not session.keys.is_locked and session.transport is transport
        assert session.clinician.certificates.signing is not None
        assert transport.call(transport.client.inbox) == []  # signed requests work again
        unlock_session(session, PASSPHRASE, desk.keystore)  # already unlocked: no work
        assert len(derivations) == 2
        events = [e["event"] for e in session.audit.entries()]
        assert events[-2:] == ["unlock_refused", "unlock"]
    finally:
        session.close()
