"""The key store against a REAL Secret Service: gnome-keyring on a private D-Bus.

The fixture ``real_secret_service`` (tests/conftest.py, tests/real_keyring.py) starts
dbus-daemon and gnome-keyring-daemon under a temporary HOME and sets keyring's backend to
``keyring.backends.SecretService.Keyring``. Nothing here is mocked.
"""

from __future__ import annotations

from contextlib import closing

import keyring
import pytest
import secretstorage
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

from medsnap.crypto.clinician_keys import ClinicianKeys
from medsnap.crypto.keystore import (
    KeyringLocked,
    KeyringUnavailable,
    KeyStore,
    NoKeysOnThisWorkstation,
    WrongPassphrase,
)

pytestmark = [pytest.mark.real_keyring, pytest.mark.interop]

STAFF = "N24680"
PASSPHRASE = "lantern harbour pebble 42"
NEW_PASSPHRASE = "Orchid-9 tramline quiet"


def medsnap_items(session) -> dict[str, str]:
    """{username: secret} of every MedSnap item, read straight from the Secret Service."""
    with closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.get_default_collection(connection)
        assert collection.get_label() == "Login"
        return {
            item.get_attributes()["username"]: item.get_secret().decode("utf-8")
            for item in collection.search_items({"service": "MedSnap"})
        }


def test_create_unlock_change_delete_through_the_secret_service(real_secret_service):
    assert isinstance(keyring.get_keyring(), SecretServiceKeyring)
    store = KeyStore()
    keys = ClinicianKeys.generate(certificates_pem=b"-----BEGIN CERTIFICATE-----\n" * 30)

    store.create(STAFF, PASSPHRASE, keys)
    items = medsnap_items(real_secret_service)
    assert STAFF in items and len(items) >= 3  # the index and at least two chunks
    assert all(len(secret) <= 1280 for secret in items.values())

    assert store.has(STAFF)
    assert store.unlock(STAFF, PASSPHRASE).keys.same_keys_as(keys)
    with pytest.raises(WrongPassphrase):
        store.unlock(STAFF, NEW_PASSPHRASE)
    assert medsnap_items(real_secret_service) == items  # a wrong guess changes nothing

    store.change_passphrase(STAFF, PASSPHRASE, NEW_PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        store.unlock(STAFF, PASSPHRASE)
    assert store.unlock(STAFF, NEW_PASSPHRASE).keys.same_keys_as(keys)
    changed = medsnap_items(real_secret_service)
    assert len(changed) == len(items) and set(changed).isdisjoint(set(items) - {STAFF})

    assert store.delete(STAFF) is True
    assert medsnap_items(real_secret_service) == {}
    with pytest.raises(NoKeysOnThisWorkstation):
        store.unlock(STAFF, NEW_PASSPHRASE)


def test_keys_survive_a_restart_of_the_keyring_daemon(real_secret_service):
    store = KeyStore(keyring_backend=real_secret_service.backend())
    keys = ClinicianKeys.generate()
    store.create(STAFF, PASSPHRASE, keys)
    real_secret_service.restart_keyring_daemon()  # re-reads login.keyring from disk
    assert store.unlock(STAFF, PASSPHRASE).keys.same_keys_as(keys)


def test_export_from_one_secret_service_import_into_another(real_secret_service):
    store = KeyStore()
    keys = ClinicianKeys.generate()
    store.create(STAFF, PASSPHRASE, keys)
    exported = store.export_wrapped(STAFF)
    assert store.delete(STAFF)  # as if signing in on a fresh workstation
    store.import_wrapped(STAFF, exported, passphrase=PASSPHRASE)
    assert store.export_wrapped(STAFF) == exported
    assert store.unlock(STAFF, PASSPHRASE).keys.same_keys_as(keys)


def test_secret_service_gone_is_a_typed_error(real_secret_service):
    store = KeyStore()
    store.create(STAFF, PASSPHRASE, ClinicianKeys.generate())
    real_secret_service.stop_keyring_daemon()
    with pytest.raises(KeyringUnavailable, match="Nothing was changed") as unavailable:
        store.unlock(STAFF, PASSPHRASE)
    assert unavailable.value.detail  # names what the Secret Service said, for IT
    with pytest.raises(KeyringUnavailable):
        store.has(STAFF)


def test_locked_keyring_is_a_typed_error_and_keys_survive(real_secret_service):
    store = KeyStore()
    keys = ClinicianKeys.generate()
    store.create(STAFF, PASSPHRASE, keys)
    real_secret_service.restart_keyring_daemon(unlock=False)  # no display: no unlock prompt
    with pytest.raises(KeyringLocked, match="is locked"):
        store.unlock(STAFF, PASSPHRASE)
    real_secret_service.restart_keyring_daemon(unlock=True)
    assert store.unlock(STAFF, PASSPHRASE).keys.same_keys_as(keys)


def test_no_session_bus_at_all_is_a_typed_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    store = KeyStore(keyring_backend=SecretServiceKeyring())
    with pytest.raises(KeyringUnavailable, match="not available"):
        store.has(STAFF)
