"""`medsnap enrol` as a new user met it with only MEDSNAP_ENDPOINT set: the root the endpoint
hands out is trusted, so it says so (on stderr) with the root's SHA-256 fingerprint to compare
with IT's; `--show-config` shows the endpoint the environment sets; a weak passphrase is a
usage error (exit 2) and spends nothing. A real endpoint process, commands in this process."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from messaging_support import PASSPHRASE, add_clinician

from medsnap.cli import main


@pytest.fixture
def run_enrol(endpoint, memory_keyring, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    monkeypatch.delenv("MEDSNAP_PASSPHRASE", raising=False)

    def run(staff_id: str, code: str, passphrase: str = PASSPHRASE):
        monkeypatch.setattr(sys, "stdin", io.StringIO(passphrase + "\n"))
        returned = main(["enrol", code, "--staff-id", staff_id, "--passphrase-stdin"])
        out, err = capsys.readouterr()
        return returned, out, err

    return run


def served_root_fingerprint(url: str) -> str:
    """The root's fingerprint computed here, from the endpoint's public /v1/ca/root."""
    with urllib.request.urlopen(f"{url}/v1/ca/root", timeout=30) as answer:
        pem = answer.read()
    root = x509.load_pem_x509_certificate(pem)
    return hashlib.sha256(root.public_bytes(Encoding.DER)).hexdigest()


def test_enrol_without_a_pinned_root_says_so_and_shows_the_roots_fingerprint(
        endpoint, run_enrol):
    staff_id, code = add_clinician(endpoint, "Dr Lena Voss")
    returned, out, err = run_enrol(staff_id, code)
    assert returned == 0, err
    assert "no hospital root fingerprint is pinned by IT" in err
    assert served_root_fingerprint(endpoint.url) in err.split()
    assert "tell IT" in err and "Enrolled" in out


def test_enrol_with_the_root_pinned_by_policy_says_nothing_more(endpoint, run_enrol,
                                                                monkeypatch, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text(f'root_fingerprint = "{served_root_fingerprint(endpoint.url)}"\n')
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    staff_id, code = add_clinician(endpoint, "Dr Omar Hale")
    returned, out, err = run_enrol(staff_id, code)
    assert returned == 0, err
    assert "pinned" not in err and "Enrolled" in out


def test_a_weak_passphrase_is_a_usage_error_and_the_code_still_works(endpoint, run_enrol):
    staff_id, code = add_clinician(endpoint, "Dr Ida Lund")
    returned, out, err = run_enrol(staff_id, code, passphrase="password1")
    assert returned == 2, out + err
    assert "Traceback" not in err and err.startswith("medsnap enrol: ")
    returned, out, err = run_enrol(staff_id, code)
    assert returned == 0, err


def test_show_config_shows_the_endpoint_the_environment_sets(tmp_path):
    import os

    env = {**os.environ, "MEDSNAP_ENDPOINT": "https://medsnap.trust.example:8443",
           "MEDSNAP_POLICY_FILE": str(tmp_path / "none.toml")}
    done = subprocess.run([sys.executable, "-m", "medsnap", "--show-config"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = next(row for row in done.stdout.splitlines() if row.startswith("endpoint_url"))
    assert "'https://medsnap.trust.example:8443'" in line
    assert "environment (MEDSNAP_ENDPOINT)" in line and "default" not in line
