"""The replay store (persistence, pruning, races) and the strict manifest schema."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medsnap.crypto.letter_errors import MalformedLetter, Replayed
from medsnap.crypto.manifest import (Manifest, PartClaim, RecipientClaim, SenderClaim,
                                     parse_manifest)
from medsnap.crypto.replay import ReplayStore

# a parser example taking this long counts as a hang (each normally takes microseconds)
HANG_MS = 5000

ID = "ab" * 16
DIGEST = "cd" * 32


def test_record_check_and_reopen(tmp_path):
    with ReplayStore(tmp_path / "r.sqlite") as store:
        store.check(ID, DIGEST)
        store.record(ID, DIGEST, expires_at=2000, now=1000)
        assert ID in store
        with pytest.raises(Replayed):
            store.check(ID, DIGEST)
        store.check(ID, DIGEST, reopen=True)
        with pytest.raises(Replayed):
            store.check(ID, "ee" * 32, reopen=True)
        with pytest.raises(Replayed):
            store.record(ID, "ee" * 32, expires_at=2000, now=1000)
        store.record(ID, DIGEST, expires_at=2000, now=1001)  # re-recording a re-view is fine


def test_expired_rows_are_pruned(tmp_path):
    with ReplayStore(tmp_path / "r.sqlite", retention_margin_seconds=10) as store:
        store.record("01" * 16, DIGEST, expires_at=100, now=50)
        store.record("02" * 16, DIGEST, expires_at=10_000, now=50)
        store.record("03" * 16, DIGEST, expires_at=10_000, now=111)
        assert "01" * 16 not in store and len(store) == 2


def test_two_stores_on_one_file_let_only_one_first_acceptance(tmp_path):
    path = tmp_path / "r.sqlite"
    ReplayStore(path).close()
    outcomes: list[str] = []

    def accept(digest: str) -> None:
        with ReplayStore(path) as store:
            try:
                store.record(ID, digest, expires_at=2000, now=1000)
                outcomes.append("accepted")
            except Replayed:
                outcomes.append("replayed")

    threads = [threading.Thread(target=accept, args=(f"{i:02x}" * 32,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["accepted"] + ["replayed"] * 5


def _manifest() -> dict:
    return json.loads(Manifest(
        ID, 1000, 2000, SenderClaim("a@x.nhs.uk", "A1", "Dr A", ""),
        (RecipientClaim("b@x.nhs.uk", DIGEST),),
        (PartClaim("image.png", "image/png", 3, DIGEST),)).to_json())


def test_round_trip():
    assert parse_manifest(json.dumps(_manifest()).encode()).sender.email == "a@x.nhs.uk"


@pytest.mark.parametrize("change", [
    lambda m: m.update(version=2), lambda m: m.update(version=True),
    lambda m: m.update(format="other"), lambda m: m.update(extra=1), lambda m: m.pop("exp"),
    lambda m: m.update(iat=True), lambda m: m.update(iat=1.5), lambda m: m.update(iat=-1),
    lambda m: m.update(exp=1000), lambda m: m.update(id="AB" * 16), lambda m: m.update(id=1),
    lambda m: m.update(recipients=[]), lambda m: m["recipients"][0].update(enc_cert_sha256="x"),
    lambda m: m["sender"].update(name=""), lambda m: m["sender"].update(name="x" * 300),
    lambda m: m["parts"].append(dict(m["parts"][0])), lambda m: m.update(parts={}),
    lambda m: m["parts"][0].update(size="3"), lambda m: m.update(sender=None),
])
def test_schema_violations(change):
    manifest = _manifest()
    change(manifest)
    with pytest.raises(MalformedLetter):
        parse_manifest(json.dumps(manifest).encode())


@settings(max_examples=300, deadline=HANG_MS)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(sorted(_manifest())) | st.text(max_size=4),
                                      inner, max_size=8), max_leaves=20))
def test_fuzz_manifest_gives_only_typed_errors(value):
    try:
        data = json.dumps(value).encode()
    except ValueError:
        return
    try:
        parse_manifest(data)
    except MalformedLetter:
        pass


@settings(max_examples=200, deadline=HANG_MS)
@given(st.binary(max_size=300))
def test_fuzz_manifest_bytes(data):
    try:
        parse_manifest(data)
    except MalformedLetter:
        pass


def test_deep_nesting_is_a_typed_error():
    with pytest.raises(MalformedLetter):
        parse_manifest(b"[" * 100_000 + b"]" * 100_000)
