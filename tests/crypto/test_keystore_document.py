"""The versioned key document inside the wrapped file: round trip and strict reading."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medsnap.crypto.clinician_keys import (
    ClinicianKeys,
    KeyDocumentError,
    KeyDocumentTooNew,
    keys_from_document,
    keys_to_document,
)


def test_round_trip_with_and_without_certificates():
    for certificates in (None, b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"):
        keys = ClinicianKeys.generate(certificates)
        again = keys_from_document(keys_to_document(keys))
        assert again.same_keys_as(keys)
        assert again.public_fingerprint() == keys.public_fingerprint()
        assert not again.same_keys_as(ClinicianKeys.generate(certificates))


def test_document_has_the_documented_fields():
    document = json.loads(keys_to_document(ClinicianKeys.generate()))
    assert set(document) == {
        "format", "version", "signing_ed25519", "encryption_x25519", "certificates_pem",
    }
    assert (document["format"], document["version"]) == ("medsnap-clinician-keys", 1)


def edited(**changes) -> bytes:
    document = json.loads(keys_to_document(ClinicianKeys.generate()))
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"", b"\xff\xfe", b"[]", b"null",
        edited(format="other"), edited(version=0), edited(version="1"), edited(version=True),
        edited(signing_ed25519="AAAA"), edited(signing_ed25519=None),
        edited(encryption_x25519="not base64!"), edited(certificates_pem=5),
        edited(certificates_pem="caf\u00e9"), b" " * (300 * 1024),
    ],
)
def test_damaged_documents_raise_a_typed_error(data):
    with pytest.raises(KeyDocumentError, match="damaged"):
        keys_from_document(data)


def test_newer_document_asks_for_an_update():
    with pytest.raises(KeyDocumentTooNew, match="newer version of MedSnap"):
        keys_from_document(edited(version=2))


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=600),
    st.dictionaries(
        st.sampled_from(["format", "version", "signing_ed25519", "encryption_x25519",
                         "certificates_pem", "extra"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=60), st.booleans(),
                  st.just("medsnap-clinician-keys"), st.just(1)),
    ).map(lambda document: json.dumps(document).encode()),
))
def test_any_input_gives_keys_or_a_typed_error(data):
    try:
        keys_from_document(data)
    except KeyDocumentError:
        pass
