"""Enrolling where the keyring cannot keep the keys must not spend the one-time code: a ward
clinician would be locked out until IT issued a new one. A real endpoint process; keyring's
own "fail" backend (what keyring finds with no keyring service) and, for the rare keyring that
answers the check and then refuses the key file, a memory keyring with that fault injected."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends.fail import Keyring as NoKeyring
from keyring.errors import PasswordSetError
from keyring_backends import MemoryKeyring
from messaging_support import PASSPHRASE, add_clinician

from medsnap.crypto.keystore import KeyStore
from medsnap.crypto.keystore_errors import KeyringMissing, KeyStoreError
from medsnap.messaging.errors import EndpointRefusedRequest
from medsnap.messaging.session import enrol

MEDSNAP = str(Path(sys.executable).parent / "medsnap")


class RefusesKeyFiles(MemoryKeyring):
    """Answers reads and the enrolment check, then refuses the key file itself (a fault no
    real keyring produces on demand: it filled up or was locked a moment later)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if username != "enrolment check":
            raise PasswordSetError("the collection is read-only")
        super().set_password(service, username, password)


def test_enrol_with_no_keyring_keeps_the_code_usable(endpoint, make_desk):
    staff_id, code = add_clinician(endpoint, "Dr Noor Hale")
    desk = make_desk()
    with pytest.raises(KeyringMissing) as missing:
        enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=KeyStore(keyring_backend=NoKeyring()))
    assert "Nothing was changed" in missing.value.message
    assert not desk.workstation.profile(staff_id).exists()
    # once IT has the keyring running, the same code works
    session = enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
                    keystore=desk.keystore)
    try:
        assert session.staff_id == staff_id and desk.keystore.has(staff_id)
    finally:
        session.close()


def test_the_enrol_command_with_no_keyring_says_nothing_changed_and_the_code_still_works(
        endpoint, make_desk, tmp_path):
    staff_id, code = add_clinician(endpoint, "Dr Ian Roe")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DBUS_SESSION_BUS_ADDRESS", "MEDSNAP_PASSPHRASE")}
    env.update(MEDSNAP_HOME=str(tmp_path / "home"), HOME=str(tmp_path / "user"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = subprocess.run([MEDSNAP, "enrol", code, "--staff-id", staff_id, "--endpoint",
                           endpoint.url, "--passphrase-stdin"], input=PASSPHRASE + "\n",
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 6, done.stdout + done.stderr
    assert "no system keyring running" in done.stderr and "Nothing was changed" in done.stderr
    desk = make_desk()
    enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
          keystore=desk.keystore).close()


def test_a_keyring_refusing_after_the_code_is_spent_says_so_truthfully(endpoint, make_desk):
    staff_id, code = add_clinician(endpoint, "Dr Eve Marsh")
    desk = make_desk()
    with pytest.raises(KeyStoreError) as refused:
        enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=KeyStore(keyring_backend=RefusesKeyFiles()))
    said = refused.value.message
    assert "Nothing was changed" not in said
    assert "code is now used up" in said and "new enrolment code" in said
    assert staff_id in said and "stored nowhere" in said
    assert refused.value.exit_code == 6
    with pytest.raises(EndpointRefusedRequest):  # it is indeed used up, as said
        enrol(make_desk().workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=desk.keystore)
