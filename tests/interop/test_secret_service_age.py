"""The wrapped key file is a standard age passphrase file, both ways with the `age` command.

Keys go through the real Secret Service (gnome-keyring on a private D-Bus) and the
reference `age` command (Debian package `age`), typing passphrases on a pty.
"""

from __future__ import annotations

import pytest
from age_peer import run_age_with_tty

from medsnap.crypto.clinician_keys import ClinicianKeys, keys_from_document, keys_to_document
from medsnap.crypto.keystore import KeyStore, WrongPassphrase

pytestmark = [pytest.mark.real_keyring, pytest.mark.interop]

STAFF = "N13579"
PASSPHRASE = "meadow copper kiosk 7"


def test_age_command_opens_the_wrapped_keys_exported_from_the_keyring(
    real_secret_service, tmp_path
):
    store = KeyStore()
    keys = ClinicianKeys.generate()
    store.create(STAFF, PASSPHRASE, keys)
    wrapped = tmp_path / "keys.age"
    wrapped.write_bytes(store.export_wrapped(STAFF))

    opened = tmp_path / "keys.json"
    status, transcript = run_age_with_tty(["-d", "-o", str(opened), str(wrapped)], PASSPHRASE)
    assert status == 0, transcript
    assert keys_from_document(opened.read_bytes()).same_keys_as(keys)

    refused = tmp_path / "refused.json"
    status, transcript = run_age_with_tty(["-d", "-o", str(refused), str(wrapped)], "guess")
    assert status != 0 and "incorrect passphrase" in transcript.lower()


def test_keys_wrapped_by_the_age_command_import_and_unlock(real_secret_service, tmp_path):
    keys = ClinicianKeys.generate()
    document = tmp_path / "keys.json"
    document.write_bytes(keys_to_document(keys))
    wrapped = tmp_path / "keys.age"
    status, transcript = run_age_with_tty(["-p", "-o", str(wrapped), str(document)], PASSPHRASE)
    assert status == 0, transcript
    assert b"-> scrypt " in wrapped.read_bytes()[:200]  # age's default work factor is logN 18

    store = KeyStore()
    with pytest.raises(WrongPassphrase):
        store.import_wrapped(STAFF, wrapped.read_bytes(), passphrase="meadow copper kiosk 8")
    assert not store.has(STAFF)
    store.import_wrapped(STAFF, wrapped.read_bytes(), passphrase=PASSPHRASE)
    assert store.unlock(STAFF, PASSPHRASE).keys.same_keys_as(keys)
