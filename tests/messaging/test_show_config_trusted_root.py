"""IT's finding: after `medsnap enrol` trusted the endpoint's root on first use (IT pinned
none), `--show-config` said root_fingerprint '' default, so IT could not see which root this
PC trusts. It now shows the root in force and why: pinned at the first enrolment, the demo's
own root (for the demo's address only), or IT's policy (and the first enrolment's pin that it
overrides, if another); and the endpoint address kept here when nobody set one. A real
endpoint and the real demo; `--show-config` as a process."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from messaging_support import PASSPHRASE, add_clinician

from medsnap.cli import main
from medsnap.messaging.profile import DEMO_URL_KEY, Workstation

OTHER_ROOT = "ab" * 32


def show_config(tmp_path, home, **extra: str) -> list[str]:
    env = {**os.environ, "MEDSNAP_HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "MEDSNAP_POLICY_FILE": str(tmp_path / "policy.toml"), **extra}
    if "MEDSNAP_ENDPOINT" not in extra:
        env.pop("MEDSNAP_ENDPOINT", None)
    done = subprocess.run([sys.executable, "-m", "medsnap", "--show-config"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.splitlines()


def served_root_fingerprint(url: str) -> str:
    """The SHA-256 of the root the endpoint hands out (its public /v1/ca/root), computed here."""
    with urllib.request.urlopen(f"{url}/v1/ca/root", timeout=30) as answer:
        root = x509.load_pem_x509_certificate(answer.read())
    return hashlib.sha256(root.public_bytes(Encoding.DER)).hexdigest()


def root_row(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("root_fingerprint"))


def test_the_root_trusted_at_the_first_enrolment_is_shown_as_such(
        endpoint, memory_keyring, monkeypatch, capsys, tmp_path):
    home = tmp_path / "home"
    monkeypatch.setenv("MEDSNAP_HOME", str(home))
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(tmp_path / "policy.toml"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    staff_id, code = add_clinician(endpoint, "Dr Tove Lind")
    assert main(["enrol", code, "--staff-id", staff_id, "--passphrase-stdin"]) == 0
    capsys.readouterr()
    served = served_root_fingerprint(endpoint.url)

    row = root_row(show_config(tmp_path, home, MEDSNAP_ENDPOINT=endpoint.url))
    assert f"'{served}'" in row and "first enrolment" in row and "not by IT" in row
    assert "default" not in row and "locked" not in row

    # IT's pin decides; the first enrolment's other pin is named, not hidden
    (tmp_path / "policy.toml").write_text(f'root_fingerprint = "{OTHER_ROOT}"\n')
    lines = show_config(tmp_path, home, MEDSNAP_ENDPOINT=endpoint.url)
    row = root_row(lines)
    assert f"'{OTHER_ROOT}'" in row and "locked" in row and "policy file" in row
    [note] = [line for line in lines if served in line]
    assert note.startswith("note: ") and "policy pin" in note and "instead" in note


def endpoint_row(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("endpoint_url"))


def test_the_demos_own_root_is_shown_for_the_demo_only(demo_home, tmp_path):
    demo_url = Workstation(demo_home).read()[DEMO_URL_KEY]
    demo_root = served_root_fingerprint(demo_url)
    lines = show_config(tmp_path, demo_home)
    row = root_row(lines)
    assert f"'{demo_root}'" in row and "demo" in row and demo_url in row
    assert "default" not in row
    # the address the commands use is shown too, not "'' default"
    row = endpoint_row(lines)
    assert f"'{demo_url}'" in row and "medsnap demo" in row and "default" not in row

    # another endpoint is not checked against the demo's root: nothing pinned for it yet
    lines = show_config(tmp_path, demo_home, MEDSNAP_ENDPOINT="https://medsnap.trust.example")
    row = root_row(lines)
    assert "''" in row and "none pinned yet" in row and demo_root not in row
    [note] = [line for line in lines if demo_root in line]
    assert note.startswith("note: ") and demo_url in note and "only" in note
