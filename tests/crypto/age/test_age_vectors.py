"""Every C2SP CCTV age vector (vendored in ./vectors with its README) through our decrypt.

Each vector names the expected outcome and the SHA-256 of all plaintext released before
success or failure; both must match. Only the post-quantum mlkem768x25519 vectors are
skipped: that recipient type is not claimed.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from pathlib import Path

import pytest

from medsnap.crypto import age

VECTORS = Path(__file__).parent / "vectors"
OUTCOMES = {
    "success": None,
    "no match": age.NoIdentityMatched,
    "HMAC failure": age.HmacError,
    "header failure": age.HeaderError,
    "payload failure": age.PayloadError,
    "armor failure": age.ArmorError,
}


def load(path: Path) -> tuple[dict[str, list[str]], bytes]:
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.decode("utf-8").splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    if fields.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return fields, body


def vector_names() -> list[str]:
    return sorted(p.name for p in VECTORS.iterdir() if p.name != "README.md")


def test_all_vectors_are_vendored():
    assert len(vector_names()) == 143
    assert "Licence" in (VECTORS / "README.md").read_text()


@pytest.mark.parametrize("name", vector_names())
def test_vector(name: str):
    fields, body = load(VECTORS / name)
    keys = fields.get("identity", [])
    supported = [text for text in keys if not text.startswith("AGE-SECRET-KEY-PQ-")]
    if keys and not supported:
        pytest.skip("mlkem768x25519 (post-quantum hybrid) is not a supported recipient type")
    # A vector that also gives an X25519 key (hybrid_x25519_arg) tests X25519 parsing: run it.
    identities: list[age.Identity] = [age.X25519Identity.from_string(text) for text in supported]
    for passphrase in fields.get("passphrase", []):
        identities.append(age.ScryptIdentity(passphrase))
    expected = OUTCOMES[fields["expect"][0]]
    released = io.BytesIO()
    armored = fields.get("armored") == ["yes"]
    outcome = None
    try:
        age.decrypt_stream(io.BytesIO(body), released, identities, armored=armored)
    except age.AgeError as error:
        outcome = type(error)
    assert outcome is expected, fields.get("comment")
    if "payload" in fields:
        assert hashlib.sha256(released.getvalue()).hexdigest() == fields["payload"][0]
    else:
        assert released.getvalue() == b""
    if expected is None:
        # The one-shot API agrees with the stream API, with armor detected automatically.
        assert age.decrypt(body, identities) == released.getvalue()
