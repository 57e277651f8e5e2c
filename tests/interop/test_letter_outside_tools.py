"""A sealed letter checked with outside tools only, and a letter built by outside tools opened.

Peers: the `age` command (Debian), GNU tar, jwcrypto (an independent JWS implementation) and
`openssl verify` / `openssl crl` for the certificates and the CRL.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding
from jwcrypto import jwk, jws

from medsnap.crypto import age
from medsnap.crypto.certificates import ClinicianIdentity, HospitalCA
from medsnap.crypto.letter import open_letter, seal
from medsnap.crypto.letter_model import Letter, UnlockedClinician
from medsnap.crypto.replay import ReplayStore

pytestmark = pytest.mark.interop
TOOLS = {name: shutil.which(name) for name in ("age", "age-keygen", "tar", "openssl")}
NOW = dt.datetime.now(dt.timezone.utc)
PNG = base64.b64decode(  # 1x1 red PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def run(*args: str | Path, stdin: bytes = b"", check: bool = True) -> subprocess.CompletedProcess:
    tool = TOOLS[str(args[0])]
    assert tool, f"{args[0]} is required (scripts/install --test)"
    return subprocess.run([tool, *map(str, args[1:])], input=stdin, capture_output=True,
                          timeout=60, check=check)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, Alice with MedSnap-made keys, Bob and Carol with keys made by age-keygen."""
    work = tmp_path_factory.mktemp("letter-interop")
    ca = HospitalCA.create("Interop Trust Root")
    people = {}
    for name in ("alice", "bob", "carol"):
        if name == "alice":
            encryption = X25519PrivateKey.generate()
            key_file = work / "alice.key"
            key_file.write_text(age.identity_file_text(age.X25519Identity(encryption)))
        else:
            key_file = work / f"{name}.key"
            run("age-keygen", "-o", key_file)
            secret = [line for line in key_file.read_text().splitlines()
                      if line.startswith("AGE-SECRET-KEY-")][0]
            encryption = age.X25519Identity.from_string(secret).private_key
        signing = Ed25519PrivateKey.generate()
        identity = ClinicianIdentity(f"{name}@interop.nhs.uk", name.upper(), f"Dr {name.title()}",
                                     "Consultant", "Radiology")
        certs = ca.issue(identity, encryption.public_key(), signing.public_key())
        people[name] = (UnlockedClinician(signing, encryption, certs), key_file)
    (work / "root.pem").write_bytes(ca.root_pem())
    return ca, people, work


@pytest.fixture(scope="module")
def sealed(pki):
    ca, people, _ = pki
    alice = people["alice"][0]
    letter = Letter(PNG, "image/png", note="Fracture line?", declaration="consent-verbal",
                    annotations=[{"kind": "ellipse"}])
    return seal(letter, alice, [people["bob"][0].certificates], root=ca.root_certificate)


def _age_decrypt(data: bytes, key_file: Path) -> bytes:
    return run("age", "-d", "-i", key_file, stdin=data).stdout


def test_age_command_decrypts_for_each_recipient(pki, sealed):
    _, people, _ = pki
    bob_copy = _age_decrypt(sealed, people["bob"][1])
    alice_copy = _age_decrypt(sealed, people["alice"][1])  # the sender's "sent" copy
    assert bob_copy == alice_copy
    refused = run("age", "-d", "-i", people["carol"][1], stdin=sealed, check=False)
    assert refused.returncode != 0 and b"no identity matched" in refused.stderr


def test_gnu_tar_lists_and_extracts(pki, sealed):
    _, people, _ = pki
    archive = _age_decrypt(sealed, people["bob"][1])
    listing = run("tar", "-tvf", "-", stdin=archive).stdout.decode().splitlines()
    assert [line.split()[-1] for line in listing] == ["manifest.jws", "image.png", "note.json"]
    assert all(line.startswith("-rw-r--r-- 0/0") and "1970-01-01 00:00" in line
               for line in listing)
    assert run("tar", "-xOf", "-", "image.png", stdin=archive).stdout == PNG


def test_jwcrypto_verifies_the_manifest_with_the_x5c_key(pki, sealed):
    _, people, _ = pki
    archive = _age_decrypt(sealed, people["bob"][1])
    token = run("tar", "-xOf", "-", "manifest.jws", stdin=archive).stdout.decode()
    checker = jws.JWS()
    checker.deserialize(token)
    header = checker.jose_header
    assert header["alg"] == "EdDSA" and "crit" not in header
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    checker.verify(jwk.JWK.from_pyca(leaf.public_key()), alg="EdDSA")
    payload = json.loads(checker.payload)
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert payload["sender"]["email"] == san.get_values_for_type(x509.RFC822Name)[0]
    for part in payload["parts"]:
        data = run("tar", "-xOf", "-", part["name"], stdin=archive).stdout
        assert (part["size"], part["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    bob_der = people["bob"][0].certificates.encryption.public_bytes(Encoding.DER)
    assert hashlib.sha256(bob_der).hexdigest() in {
        r["enc_cert_sha256"] for r in payload["recipients"]}
    with pytest.raises(jws.InvalidJWSSignature):
        checker.verify(jwk.JWK.from_pyca(people["carol"][0].certificates.signing_key),
                       alg="EdDSA")


def _write_certs(work: Path, person: UnlockedClinician, stem: str) -> tuple[Path, Path]:
    signing, encryption = work / f"{stem}-sig.pem", work / f"{stem}-enc.pem"
    signing.write_bytes(person.certificates.signing.public_bytes(Encoding.PEM))
    encryption.write_bytes(person.certificates.encryption.public_bytes(Encoding.PEM))
    return signing, encryption


def test_openssl_accepts_both_certificates_and_the_crl(pki):
    ca, people, work = pki
    signing, encryption = _write_certs(work, people["alice"][0], "alice")
    crl = work / "empty.crl.pem"
    crl.write_bytes(ca.crl([]).public_bytes(Encoding.PEM))
    root = work / "root.pem"
    for args in (["-purpose", "smimesign", signing], [encryption],
                 ["-crl_check", "-CRLfile", crl, "-purpose", "smimesign", signing]):
        result = run("openssl", "verify", "-CAfile", root, *args)
        assert result.stdout.decode().strip().endswith(": OK")
    text = run("openssl", "x509", "-in", encryption, "-noout", "-text").stdout.decode()
    assert "X25519" in text and "Key Agreement" in text and "E-mail Protection" in text
    assert "email:alice@interop.nhs.uk" in text and "UID = ALICE" in text
    text = run("openssl", "x509", "-in", signing, "-noout", "-text").stdout.decode()
    assert "ED25519" in text and "Digital Signature" in text
    assert b"verify OK" in run("openssl", "crl", "-in", crl, "-CAfile", root, "-noout").stderr


def test_openssl_refuses_revoked_and_foreign(pki):
    ca, people, work = pki
    signing, _ = _write_certs(work, people["carol"][0], "carol")
    crl = work / "revoked.crl.pem"
    serial = people["carol"][0].certificates.signing.serial_number
    crl.write_bytes(ca.crl([(serial, NOW)]).public_bytes(Encoding.PEM))
    revoked = run("openssl", "verify", "-CAfile", work / "root.pem", "-crl_check", "-CRLfile",
                  crl, signing, check=False)
    assert revoked.returncode != 0 and b"revoked" in revoked.stdout + revoked.stderr
    foreign = work / "foreign.pem"
    foreign.write_bytes(HospitalCA.create("Interop Trust Root").root_pem())
    refused = run("openssl", "verify", "-CAfile", foreign, signing, check=False)
    assert refused.returncode != 0


def test_letter_built_by_outside_tools_opens(pki, tmp_path):
    """jwcrypto signs, GNU tar packs (ustar, numeric owner 0, mtime 0), `age -r` encrypts."""
    ca, people, _ = pki
    alice, bob = people["alice"][0], people["bob"][0]
    note = json.dumps({"note": "from outside", "declaration": "not-identifiable",
                       "annotations": None}).encode()
    parts = [("image.png", "image/png", PNG), ("note.json", "application/json", note)]
    bob_der = bob.certificates.encryption.public_bytes(Encoding.DER)
    payload = {
        "format": "medsnap-letter", "version": 1, "id": "0123456789abcdef" * 2,
        "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 3600,
        "sender": {"email": "alice@interop.nhs.uk", "staff_id": "ALICE",
                   "name": "Dr Alice", "role": "Consultant"},
        "recipients": [{"email": "bob@interop.nhs.uk",
                        "enc_cert_sha256": hashlib.sha256(bob_der).hexdigest()}],
        "parts": [{"name": n, "media_type": m, "size": len(d),
                   "sha256": hashlib.sha256(d).hexdigest()} for n, m, d in parts],
    }
    x5c = base64.b64encode(alice.certificates.signing.public_bytes(Encoding.DER)).decode()
    token = jws.JWS(json.dumps(payload).encode())
    token.add_signature(jwk.JWK.from_pyca(alice.signing_key), alg="EdDSA",
                        protected=json.dumps({"alg": "EdDSA", "typ": "medsnap-letter+jws",
                                              "x5c": [x5c]}))
    (tmp_path / "manifest.jws").write_text(token.serialize(compact=True))
    for name, _, data in parts:
        (tmp_path / name).write_bytes(data)
    archive = run("tar", "--format=ustar", "--numeric-owner", "--owner=0", "--group=0",
                  "--mtime=@0", "--mode=0644", "-C", tmp_path, "-cf", "-",
                  "manifest.jws", "image.png", "note.json").stdout
    recipient = age.X25519Recipient(bob.certificates.encryption_key).to_string()
    sealed = run("age", "-r", recipient, stdin=archive).stdout
    with ReplayStore(":memory:") as store:
        opened = open_letter(sealed, bob, root=ca.root_certificate, crl=ca.crl([]),
                             replay_store=store)
    assert opened.note == "from outside" and opened.sender.staff_id == "ALICE"
    assert opened.image == PNG
