"""Sealing and opening letters: the happy path, then every way a letter must be refused."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from letter_tools import change_manifest, repack, tamper, unpack
from medsnap.crypto.letter import open_letter, seal
from medsnap.crypto.letter_errors import (
    BadSignature, CriticalHeader, Expired, LetterError, MalformedLetter, NotEncryptedForMe,
    NotForMe, NotYetValid, PartMismatch, Replayed, RevocationListUnusable, SealError,
    SenderCertificateExpired, SenderCertificateRevoked, SenderMismatch, UnsupportedAlgorithm,
    UntrustedSender)
from medsnap.crypto.letter_model import Letter
from medsnap.crypto.replay import ReplayStore
from pki_people import make_person, tiny_png, unlocked

NOW = dt.datetime.now(dt.timezone.utc)
IMAGE = tiny_png()


@pytest.fixture
def store():
    with ReplayStore(":memory:") as replay:
        yield replay


@pytest.fixture(scope="module")
def letter():
    return Letter(IMAGE, "image/png", note="Query ST elevation in V2-V4?",
                  declaration="direct-care", annotations=[{"kind": "arrow", "at": [1, 2]}])


@pytest.fixture(scope="module")
def sealed(letter, hospital_ca, alice, bob):
    """Alice -> Bob, with Alice's own sent copy."""
    return seal(letter, unlocked(alice), [bob.certificates], root=hospital_ca.root_certificate,
                crl=hospital_ca.crl([]))


def _open(data, reader, ca, store, **kwargs):
    kwargs.setdefault("crl", ca.crl([]))
    kwargs.setdefault("root", ca.root_certificate)
    return open_letter(data, unlocked(reader), replay_store=store, **kwargs)


def test_recipient_sees_only_signed_values(sealed, letter, hospital_ca, alice, bob, store):
    opened = _open(sealed, bob, hospital_ca, store)
    assert opened.sender == alice.identity
    assert opened.image == IMAGE and opened.media_type == "image/png"
    assert (opened.note, opened.declaration, opened.annotations) == (
        letter.note, letter.declaration, letter.annotations)
    assert set(opened.recipients) == {alice.identity.email, bob.identity.email}
    assert len(opened.message_id) == 32
    now = dt.datetime.now(dt.timezone.utc)  # not NOW, taken at collection: minutes ago in CI
    assert opened.issued_at <= now + dt.timedelta(minutes=1) < opened.expires_at
    signing_der = alice.certificates.signing.public_bytes(Encoding.DER)
    assert opened.verification.signer_certificate_sha256 == \
        hashlib.sha256(signing_der).hexdigest()
    assert opened.verification.revocation_checked


def test_sender_opens_own_sent_copy(sealed, hospital_ca, alice, store):
    assert _open(sealed, alice, hospital_ca, store).sender == alice.identity


def test_without_own_copy_the_sender_cannot_open(letter, hospital_ca, alice, bob, store):
    data = seal(letter, unlocked(alice), [bob.certificates], include_self=False)
    with pytest.raises(NotEncryptedForMe):
        _open(data, alice, hospital_ca, store)


def test_third_party_cannot_decrypt(sealed, hospital_ca, carol, store):
    with pytest.raises(NotEncryptedForMe):
        _open(sealed, carol, hospital_ca, store)


def test_forwarded_to_a_third_party(sealed, hospital_ca, bob, carol, store):
    forwarded = tamper(sealed, bob, [carol], lambda members: members)
    with pytest.raises(NotForMe) as info:
        _open(forwarded, carol, hospital_ca, store)
    assert "Nothing" in info.value.message


def test_recipient_with_new_encryption_certificate_is_not_listed(sealed, hospital_ca, bob,
                                                                store):
    new_bob = make_person(hospital_ca, bob.identity.email, bob.identity.display_name,
                          staff_id=bob.identity.staff_id)
    rewrapped = tamper(sealed, bob, [new_bob], lambda members: members)
    with pytest.raises(NotForMe):
        _open(rewrapped, new_bob, hospital_ca, store)


def test_replay_and_reopen(sealed, hospital_ca, bob, tmp_path):
    path = tmp_path / "replay.sqlite"
    with ReplayStore(path) as replay:
        _open(sealed, bob, hospital_ca, replay)
        with pytest.raises(Replayed):
            _open(sealed, bob, hospital_ca, replay)
        _open(sealed, bob, hospital_ca, replay, reopen=True)  # the inbox re-viewing its copy
        rewrapped = tamper(sealed, bob, [bob], lambda members: members)
        with pytest.raises(Replayed):  # same id in a different file is never a re-view
            _open(rewrapped, bob, hospital_ca, replay, reopen=True)
    with ReplayStore(path) as replay:  # persistent across restarts
        with pytest.raises(Replayed):
            _open(sealed, bob, hospital_ca, replay)


def test_replay_stores_are_per_reader(sealed, hospital_ca, alice, bob, tmp_path):
    with ReplayStore(tmp_path / "alice.sqlite") as mine, \
            ReplayStore(tmp_path / "bob.sqlite") as theirs:
        _open(sealed, alice, hospital_ca, mine)
        _open(sealed, bob, hospital_ca, theirs)


def test_expired_sender_certificate(letter, hospital_ca, bob, store):
    past = NOW - dt.timedelta(days=10)
    dora = make_person(hospital_ca, "dora@elsewhere.nhs.uk", "Dr Dora", now=past, valid_days=2)
    data = seal(letter, unlocked(dora), [bob.certificates], now=past + dt.timedelta(days=1))
    with pytest.raises(SenderCertificateExpired):
        _open(data, bob, hospital_ca, store)


def test_revoked_sender_certificate(sealed, hospital_ca, alice, bob, store):
    crl = hospital_ca.crl([(alice.certificates.signing.serial_number, NOW)])
    with pytest.raises(SenderCertificateRevoked) as info:
        _open(sealed, bob, hospital_ca, store, crl=crl)
    assert "revoked" in info.value.message


def test_foreign_root(sealed, foreign_ca, bob, store):
    with pytest.raises(UntrustedSender):
        _open(sealed, bob, foreign_ca, store)


def test_sender_from_foreign_ca(letter, foreign_ca, hospital_ca, bob, store):
    mallory = make_person(foreign_ca, "alice.adams@elsewhere.nhs.uk", "Dr Alice Adams")
    data = seal(letter, unlocked(mallory), [bob.certificates])
    with pytest.raises(UntrustedSender):
        _open(data, bob, hospital_ca, store)


def test_swapped_x5c(sealed, hospital_ca, bob, carol, store):
    import base64
    carol_der = base64.b64encode(carol.certificates.signing.public_bytes(Encoding.DER)).decode()
    swap = change_manifest(lambda header, payload: header.update(x5c=[carol_der]))
    with pytest.raises(BadSignature):
        _open(tamper(sealed, bob, [bob], swap), bob, hospital_ca, store)


def test_valid_signer_claiming_someone_else(sealed, hospital_ca, alice, bob, carol, store):
    import base64
    carol_der = base64.b64encode(carol.certificates.signing.public_bytes(Encoding.DER)).decode()
    impersonate = change_manifest(lambda header, payload: header.update(x5c=[carol_der]),
                                  key=carol.signing_key)  # payload still names Alice
    with pytest.raises(SenderMismatch):
        _open(tamper(sealed, bob, [bob], impersonate), bob, hospital_ca, store)


def test_altered_manifest(sealed, hospital_ca, bob, carol, store):
    add_carol = change_manifest(lambda header, payload: payload["recipients"].append(
        {"email": carol.identity.email, "enc_cert_sha256": "0" * 64}))
    with pytest.raises(BadSignature):
        _open(tamper(sealed, bob, [bob], add_carol), bob, hospital_ca, store)


@pytest.mark.parametrize("member", [1, 2])
def test_altered_part(sealed, hospital_ca, bob, store, member):
    def flip(members):
        name, data = members[member]
        members[member] = (name, data[:-1] + bytes([data[-1] ^ 1]))
        return members
    with pytest.raises(PartMismatch):
        _open(tamper(sealed, bob, [bob], flip), bob, hospital_ca, store)


def test_tampered_copy_does_not_burn_the_genuine_id(sealed, hospital_ca, bob, store):
    def flip(members):
        members[1] = (members[1][0], members[1][1] + b"\x00")
        return members
    with pytest.raises(PartMismatch):
        _open(tamper(sealed, bob, [bob], flip), bob, hospital_ca, store)
    _open(sealed, bob, hospital_ca, store)


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256"])
def test_other_algorithms(sealed, hospital_ca, bob, store, alg):
    change = change_manifest(lambda header, payload: header.update(alg=alg))
    with pytest.raises(UnsupportedAlgorithm):
        _open(tamper(sealed, bob, [bob], change), bob, hospital_ca, store)


def test_crit_header_even_when_signed(sealed, hospital_ca, alice, bob, store):
    change = change_manifest(lambda header, payload: header.update(crit=["exp"]),
                             key=alice.signing_key)
    with pytest.raises(CriticalHeader):
        _open(tamper(sealed, bob, [bob], change), bob, hospital_ca, store)


def test_expired_letter_and_future_letter(letter, sealed, hospital_ca, alice, bob, store):
    later = NOW + dt.timedelta(days=15)
    with pytest.raises(Expired):
        _open(sealed, bob, hospital_ca, store, now=later, crl=hospital_ca.crl([], now=later))
    with pytest.raises(RevocationListUnusable):  # last week's CRL is no longer current
        _open(sealed, bob, hospital_ca, store, now=later)
    future = seal(letter, unlocked(alice), [bob.certificates], now=NOW + dt.timedelta(hours=1))
    with pytest.raises(NotYetValid):
        _open(future, bob, hospital_ca, store)


def test_checks_run_in_order(sealed, hospital_ca, alice, bob, carol, store):
    forwarded = tamper(sealed, bob, [carol], lambda members: members)
    crl = hospital_ca.crl([(alice.certificates.signing.serial_number, NOW)])
    with pytest.raises(SenderCertificateRevoked):  # chain before recipient
        _open(forwarded, carol, hospital_ca, store, crl=crl)
    later = NOW + dt.timedelta(days=15)
    with pytest.raises(NotForMe):  # recipient before times
        _open(forwarded, carol, hospital_ca, store, now=later, crl=hospital_ca.crl([], now=later))


@pytest.mark.parametrize("change", [
    pytest.param(lambda m: [m[0], m[2], m[1]], id="out-of-order"),
    pytest.param(lambda m: [m[1], m[0], m[2]], id="manifest-not-first"),
    pytest.param(lambda m: m[:2], id="missing-note"),
    pytest.param(lambda m: [m[0], m[1], ("image.jpg", b"\xff\xd8\xff"), m[2]], id="two-images"),
])
def test_wrong_members(sealed, hospital_ca, bob, store, change):
    with pytest.raises(MalformedLetter):
        _open(tamper(sealed, bob, [bob], change), bob, hospital_ca, store)


def test_renamed_image_does_not_match_signed_parts(sealed, hospital_ca, bob, store):
    rename = lambda m: [m[0], ("image.jpg", m[1][1]), m[2]]  # noqa: E731
    with pytest.raises(PartMismatch):
        _open(tamper(sealed, bob, [bob], rename), bob, hospital_ca, store)


def test_garbage_and_truncation(sealed, hospital_ca, bob, store):
    for data in (b"", b"age-encryption.org/v1\n", sealed[:-20], sealed[:-1] + b"\x00"):
        with pytest.raises(MalformedLetter):
            _open(data, bob, hospital_ca, store)


def test_every_refusal_says_nothing_was_shown(sealed, hospital_ca, carol, store):
    with pytest.raises(LetterError) as info:
        _open(sealed, carol, hospital_ca, store)
    assert "Nothing" in info.value.message and "Traceback" not in info.value.message


def test_seal_refuses_bad_input(hospital_ca, foreign_ca, alice, bob):
    sender = unlocked(alice)
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/jpeg"), sender, [bob.certificates])
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/png", declaration="maybe"), sender, [bob.certificates])
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/png", expires_at=NOW + dt.timedelta(days=365)), sender,
             [bob.certificates])
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/png", expires_at=dt.datetime(2099, 1, 1)), sender,
             [bob.certificates])
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/png"), sender, [], include_self=False)
    outsider = make_person(foreign_ca, "x@elsewhere.nhs.uk", "Dr X")
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/png"), sender, [outsider.certificates],
             root=hospital_ca.root_certificate, crl=None)
    crl = hospital_ca.crl([(bob.certificates.encryption.serial_number, NOW)])
    with pytest.raises(SealError, match="revoked"):
        seal(Letter(IMAGE, "image/png"), sender, [bob.certificates],
             root=hospital_ca.root_certificate, crl=crl)
    from medsnap.crypto.letter_model import UnlockedClinician
    wrong_key = UnlockedClinician(bob.signing_key, alice.encryption_key, alice.certificates)
    with pytest.raises(SealError):
        seal(Letter(IMAGE, "image/png"), wrong_key, [bob.certificates])


def test_letters_are_unique_and_recipients_deduplicated(letter, alice, bob):
    first = seal(letter, unlocked(alice), [bob.certificates, bob.certificates])
    second = seal(letter, unlocked(alice), [bob.certificates])
    assert unpack(first, bob)[0][1] != unpack(second, bob)[0][1]  # fresh id and times
    assert repack(unpack(first, bob), [bob])  # archive is well formed


def test_opening_never_opens_a_file(sealed, hospital_ca, bob, store, monkeypatch):
    import builtins
    import io
    import os

    def refuse(*args, **kwargs):
        raise AssertionError(f"open_letter tried to open a file: {args[:1]}")

    root, crl = hospital_ca.root_certificate, hospital_ca.crl([])
    for module, name in ((builtins, "open"), (io, "open"), (os, "open")):
        monkeypatch.setattr(module, name, refuse)
    opened = open_letter(sealed, unlocked(bob), root=root, crl=crl, replay_store=store)
    assert opened.image == IMAGE


def test_unlocked_clinician_from_key_store_keys(hospital_ca, alice, bob, store):
    from medsnap.crypto.clinician_keys import ClinicianKeys
    from medsnap.crypto.letter_model import UnlockedClinician

    keys = ClinicianKeys(bob.signing_key, bob.encryption_key, bob.certificates.to_pem())
    me = UnlockedClinician.from_keys(keys)
    data = seal(Letter(IMAGE, "image/png"), unlocked(alice), [me.certificates])
    assert open_letter(data, me, root=hospital_ca.root_certificate, crl=None,
                       replay_store=store).verification.revocation_checked is False
    with pytest.raises(ValueError):
        UnlockedClinician.from_keys(ClinicianKeys(bob.signing_key, bob.encryption_key, None))


def test_fuzz_mutated_plaintext_is_refused_or_unchanged(sealed, letter, hospital_ca, bob):
    """Flip bytes inside the decrypted archive and re-encrypt: a typed refusal, or (for bytes
    that carry no meaning, such as the tar mtime) exactly the original letter."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from medsnap.crypto import age

    archive = age.decrypt(sealed, [age.X25519Identity(bob.encryption_key)])
    recipient = age.X25519Recipient(bob.certificates.encryption_key)
    root, crl = hospital_ca.root_certificate, hospital_ca.crl([])

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, len(archive) - 1), st.integers(0, 255)),
                    min_size=1, max_size=4))
    def check(flips):
        mutated = bytearray(archive)
        for offset, value in flips:
            mutated[offset] = value
        data = age.encrypt(bytes(mutated), [recipient])
        with ReplayStore(":memory:") as replay:
            try:
                opened = open_letter(data, unlocked(bob), root=root, crl=crl,
                                     replay_store=replay)
            except LetterError as error:
                assert "Nothing" in error.message
                return
        assert (opened.image, opened.note, opened.annotations) == (
            letter.image, letter.note, letter.annotations)

    check()


@pytest.mark.parametrize("which", ["root", "encryption-certificate", "foreign-intermediate"])
def test_x5c_leaf_that_is_not_a_signing_certificate(sealed, hospital_ca, foreign_ca, alice,
                                                    bob, store, which):
    import base64

    def der(cert):
        return base64.b64encode(cert.public_bytes(Encoding.DER)).decode()

    chain = {"root": [der(hospital_ca.root_certificate)],
             "encryption-certificate": [der(alice.certificates.encryption)],
             "foreign-intermediate": [der(alice.certificates.signing),
                                      der(foreign_ca.root_certificate)]}[which]
    change = change_manifest(lambda header, payload: header.update(x5c=chain),
                             key=alice.signing_key)
    data = tamper(sealed, bob, [bob], change)
    if which == "foreign-intermediate":  # an extra unrelated certificate does not matter
        assert _open(data, bob, hospital_ca, store).sender == alice.identity
    else:
        with pytest.raises(UntrustedSender):
            _open(data, bob, hospital_ca, store)
