"""KeyStore against an in-memory keyring: wrap, unlock, change, export/import, damage, lock.

Each scrypt (logN 18) costs ~0.6 s, so a wrapped file is made once per module and copied
into a fresh keyring ("workstation") by tests that do not exercise ``create`` itself.
"""

from __future__ import annotations

import base64
import json

import keyring
import pytest
from keyring.backends import fail
from keyring_backends import WINDOWS_CREDENTIAL_CHARACTERS, MemoryKeyring

from medsnap.crypto.age import ScryptRecipient, X25519Identity, encrypt
from medsnap.crypto.certificates import HospitalCA
from medsnap.crypto.clinician_keys import ClinicianKeys
from medsnap.crypto.identity import ClinicianIdentity
from medsnap.crypto.keystore import (
    InvalidStaffId,
    KeyringUnavailable,
    KeysAlreadyStored,
    KeysDamaged,
    KeysLocked,
    KeyStore,
    NoKeysOnThisWorkstation,
    WeakPassphrase,
    WrongPassphrase,
)

STAFF = "N12345"
PASSPHRASE = "kettle orbit violet canoe"
NEW_PASSPHRASE = "Granite7-lantern-by-the-sea"


@pytest.fixture(scope="module")
def keys() -> ClinicianKeys:
    keys = ClinicianKeys.generate()
    ca = HospitalCA.create("Keystore Test Trust Root")
    who = ClinicianIdentity("ada.lovelace@example.nhs.uk", STAFF, "Dr Ada Lovelace", "Registrar")
    certificates = ca.issue(who, keys.encryption_public_key, keys.signing_public_key)
    return keys.with_certificates(certificates.to_pem() + ca.root_pem())


@pytest.fixture(scope="module")
def wrapped(keys) -> bytes:
    store = KeyStore(keyring_backend=MemoryKeyring())
    store.create(STAFF, PASSPHRASE, keys)
    return store.export_wrapped(STAFF)


@pytest.fixture
def store(memory_keyring, wrapped) -> KeyStore:
    """A workstation that already holds the module's wrapped keys (default keyring backend)."""
    store = KeyStore()
    store.import_wrapped(STAFF, wrapped)
    return store


def stored_chunks(backend: MemoryKeyring) -> dict[str, str]:
    return {user: value for (service, user), value in backend.entries.items() if "#" in user}


def test_create_then_unlock_gives_the_same_keys(memory_keyring, keys):
    store = KeyStore()
    store.create(STAFF, PASSPHRASE, keys)
    unlocked = store.unlock(STAFF, PASSPHRASE)
    assert unlocked.keys.same_keys_as(keys)
    assert unlocked.certificates_pem == keys.certificates_pem
    # Stored under service "MedSnap", as chunks that each fit Windows Credential Manager.
    assert {service for service, _ in memory_keyring.entries} == {"MedSnap"}
    chunks = stored_chunks(memory_keyring)
    assert len(chunks) >= 2
    assert all(len(value) <= WINDOWS_CREDENTIAL_CHARACTERS for value in chunks.values())
    # Nothing in the keyring is the key in the clear.
    raw_signing = base64.b64encode(keys.signing_key.private_bytes_raw()).decode()
    assert all(raw_signing not in value for value in memory_keyring.entries.values())


def test_wrapped_file_is_an_age_scrypt_file_at_log_n_18(wrapped):
    lines = wrapped.split(b"\n")
    assert lines[0] == b"age-encryption.org/v1"
    kind, _salt, log_n = lines[1].split(b" ")[1:]
    assert (kind, log_n) == (b"scrypt", b"18")
    # Too big for one Windows credential: chunking is needed, not decoration.
    assert len(base64.b64encode(wrapped)) > WINDOWS_CREDENTIAL_CHARACTERS


def test_unlock_and_lock(store, keys):
    with store.unlock(STAFF, PASSPHRASE) as unlocked:
        assert unlocked.signing_key.public_key() == keys.signing_public_key
        assert unlocked.encryption_key.public_key() == keys.encryption_public_key
        assert not unlocked.is_locked
    assert unlocked.is_locked
    with pytest.raises(KeysLocked):
        unlocked.signing_key
    assert "locked" in repr(unlocked) and "N12345" in repr(unlocked)


def test_wrong_passphrase_is_refused_and_nothing_changes(store, memory_keyring, wrapped):
    before = dict(memory_keyring.entries)
    with pytest.raises(WrongPassphrase, match="does not unlock the keys of N12345") as refused:
        store.unlock(STAFF, "kettle orbit violet canoes")
    assert "your keys are safe" in refused.value.message
    assert memory_keyring.entries == before
    assert store.export_wrapped(STAFF) == wrapped


def test_change_passphrase(store, keys, memory_keyring):
    store.change_passphrase(STAFF, PASSPHRASE, NEW_PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        store.unlock(STAFF, PASSPHRASE)
    assert store.unlock(STAFF, NEW_PASSPHRASE).keys.same_keys_as(keys)
    # The old generation's chunks are gone: one index and the new chunks only.
    generation = json.loads(memory_keyring.get_password("MedSnap", STAFF))["gen"]
    assert generation == 2
    assert all(user.startswith(f"{STAFF}#2.") for user in stored_chunks(memory_keyring))


def test_change_passphrase_with_wrong_old_passphrase_changes_nothing(store, wrapped):
    with pytest.raises(WrongPassphrase):
        store.change_passphrase(STAFF, "not my passphrase at all", NEW_PASSPHRASE)
    assert store.export_wrapped(STAFF) == wrapped


@pytest.mark.parametrize(
    ("new", "reason"),
    [("short1!", "use at least 12"), (PASSPHRASE, "same as your current"),
     (f"{STAFF} is my passphrase", "staff id")],
)
def test_change_to_a_weak_passphrase_is_refused(store, wrapped, new, reason):
    with pytest.raises(WeakPassphrase, match=reason):
        store.change_passphrase(STAFF, PASSPHRASE, new)
    assert store.export_wrapped(STAFF) == wrapped


def test_create_refuses_weak_passphrase_and_existing_keys(store, keys, wrapped):
    with pytest.raises(WeakPassphrase, match="common password"):
        store.create("N999", "Password12345!", keys)
    assert not store.has("N999")
    with pytest.raises(KeysAlreadyStored):
        store.create(STAFF, NEW_PASSPHRASE, keys)
    assert store.export_wrapped(STAFF) == wrapped


def test_replace_keys_needs_the_current_passphrase(store, keys, wrapped):
    renewed = keys.with_certificates(b"-----BEGIN CERTIFICATE-----\nrenewed\n")
    with pytest.raises(WrongPassphrase):
        store.replace_keys(STAFF, NEW_PASSPHRASE, renewed)
    assert store.export_wrapped(STAFF) == wrapped
    store.replace_keys(STAFF, PASSPHRASE, renewed)
    assert store.unlock(STAFF, PASSPHRASE).certificates_pem == renewed.certificates_pem


def test_accented_passphrase_unlocks_whatever_its_unicode_form(memory_keyring, keys):
    store = KeyStore()
    store.create(STAFF, "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e", keys)
    assert store.unlock(STAFF, "cafe\u0301 cre\u0300me bru\u0302le\u0301e").keys.same_keys_as(keys)


def test_no_keys_on_this_workstation(memory_keyring):
    store = KeyStore()
    assert not store.has(STAFF)
    with pytest.raises(NoKeysOnThisWorkstation, match="Sign in with your staff id"):
        store.unlock(STAFF, PASSPHRASE)
    with pytest.raises(NoKeysOnThisWorkstation):
        store.export_wrapped(STAFF)
    assert store.delete(STAFF) is False


def test_delete(store, memory_keyring):
    assert store.has(STAFF)
    assert store.delete(STAFF) is True
    assert not store.has(STAFF)
    assert memory_keyring.entries == {}


def test_export_and_import_on_another_workstation(store, keys):
    exported = store.export_wrapped(STAFF)
    elsewhere = KeyStore(keyring_backend=MemoryKeyring())
    elsewhere.import_wrapped(STAFF, exported, passphrase=PASSPHRASE)
    assert elsewhere.unlock(STAFF, PASSPHRASE).keys.same_keys_as(keys)


def test_import_with_wrong_passphrase_keeps_what_was_there(store, wrapped):
    other = KeyStore(keyring_backend=MemoryKeyring())
    other.create(STAFF, NEW_PASSPHRASE, ClinicianKeys.generate())
    foreign = other.export_wrapped(STAFF)
    with pytest.raises(WrongPassphrase):
        store.import_wrapped(STAFF, foreign, passphrase=PASSPHRASE, replace=True)
    with pytest.raises(KeysAlreadyStored):
        store.import_wrapped(STAFF, foreign)
    assert store.export_wrapped(STAFF) == wrapped


def refuse_import(store: KeyStore, data: bytes, match: str) -> None:
    with pytest.raises(KeysDamaged, match=match):
        store.import_wrapped("N777", data)
    assert not store.has("N777")


def test_import_refuses_files_that_are_not_strong_passphrase_files(memory_keyring, keys):
    store = KeyStore()
    refuse_import(store, b"", "not a MedSnap key file")
    refuse_import(store, b"-----BEGIN AGE ENCRYPTED FILE-----\n", "not a MedSnap key file")
    to_a_key = encrypt(b"{}", [X25519Identity.generate().recipient()])
    refuse_import(store, to_a_key, "not protected by a passphrase")
    weak = encrypt(b"{}", [ScryptRecipient(PASSPHRASE, log_n=10)])
    refuse_import(store, weak, "strength MedSnap requires")


def test_altered_wrapped_file_is_reported_as_damaged(memory_keyring, wrapped):
    store = KeyStore()
    mac_start = wrapped.index(b"\n--- ") + 5
    mac_end = wrapped.index(b"\n", mac_start)
    mac = bytearray(base64.b64decode(wrapped[mac_start:mac_end] + b"="))
    mac[0] ^= 0x01  # still canonical base64, now the wrong MAC
    altered_mac = wrapped[:mac_start] + base64.b64encode(mac).rstrip(b"=") + wrapped[mac_end:]
    store.import_wrapped(STAFF, altered_mac)
    with pytest.raises(KeysDamaged, match="damaged"):
        store.unlock(STAFF, PASSPHRASE)
    altered_payload = bytearray(wrapped)
    altered_payload[-5] ^= 0x01
    store.import_wrapped(STAFF, bytes(altered_payload), replace=True)
    with pytest.raises(KeysDamaged, match="damaged"):
        store.unlock(STAFF, PASSPHRASE)


def test_unreadable_key_document_is_reported(memory_keyring):
    store = KeyStore()
    store.import_wrapped(STAFF, encrypt(b'{"format": "something else"}',
                                        [ScryptRecipient(PASSPHRASE, log_n=18)]))
    with pytest.raises(KeysDamaged, match="key document inside is damaged"):
        store.unlock(STAFF, PASSPHRASE)


def test_corrupted_chunk_is_detected_before_decrypting(store, memory_keyring):
    user = sorted(stored_chunks(memory_keyring))[1]
    value = memory_keyring.entries[("MedSnap", user)]
    memory_keyring.entries[("MedSnap", user)] = value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB")
    with pytest.raises(KeysDamaged, match="altered"):
        store.unlock(STAFF, "not even tried")


def test_missing_chunk_is_detected(store, memory_keyring):
    user = sorted(stored_chunks(memory_keyring))[0]
    del memory_keyring.entries[("MedSnap", user)]
    with pytest.raises(KeysDamaged, match="missing"):
        store.export_wrapped(STAFF)


def test_keyring_unavailable_is_a_typed_error(memory_keyring):
    keyring.set_keyring(fail.Keyring())  # keyring's own "no backend"; the fixture restores
    store = KeyStore()
    with pytest.raises(KeyringUnavailable, match="Nothing was changed") as unavailable:
        store.has(STAFF)
    assert unavailable.value.detail == "no keyring service found"
    assert "keyrings.alt" not in unavailable.value.message  # a package MedSnap never ships
    with pytest.raises(KeyringUnavailable):
        store.unlock(STAFF, PASSPHRASE)


@pytest.mark.parametrize("staff_id", ["", "N1#2", "a" * 65, "with space", "x/y"])
def test_invalid_staff_ids_are_refused(memory_keyring, staff_id):
    with pytest.raises(InvalidStaffId):
        KeyStore().has(staff_id)


def test_work_factor_below_policy_is_refused():
    with pytest.raises(ValueError):
        KeyStore(log_n=17)
