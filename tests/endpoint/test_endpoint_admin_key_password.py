"""`admin import-root` takes an encrypted key file's password from stdin, never an argument
(any user on the server can read a process's arguments)."""

from __future__ import annotations

import subprocess

from endpoint_harness import ENDPOINT_COMMAND

KEY_PASSWORD = "custodian-halves-7"


def _openssl_root(folder, password: str):
    key, cert = folder / "root.key", folder / "root.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-passout", f"pass:{password}",
                    "-keyout", str(key), "-out", str(cert), "-days", "30",
                    "-subj", "/CN=Sealed Hospital Root",
                    "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                   check=True, capture_output=True)
    assert b"ENCRYPTED" in key.read_bytes()
    return key, cert


def _import(database, key, cert, *extra: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([*ENDPOINT_COMMAND, "admin", "--database", f"sqlite:///{database}",
                           "import-root", "--cert", str(cert), "--key", str(key),
                           "--insecure-unencrypted-key", *extra],
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_an_encrypted_root_key_is_imported_with_its_password_from_stdin(tmp_path):
    key, cert = _openssl_root(tmp_path, KEY_PASSWORD)
    imported = _import(tmp_path / "ok.db", key, cert, "--key-password-stdin",
                       stdin=KEY_PASSWORD + "\n")
    assert imported.returncode == 0, imported.stderr
    assert "BEGIN CERTIFICATE" in imported.stdout


def test_a_wrong_or_missing_password_imports_nothing_and_says_so(tmp_path):
    key, cert = _openssl_root(tmp_path, KEY_PASSWORD)
    for name, extra, stdin in (("wrong", ("--key-password-stdin",), "not it\n"),
                               ("missing", (), "")):
        refused = _import(tmp_path / f"{name}.db", key, cert, *extra, stdin=stdin)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert "Nothing was imported" in refused.stderr
        assert not (tmp_path / f"{name}.db").exists()


def test_the_password_is_no_longer_accepted_as_an_argument(tmp_path):
    key, cert = _openssl_root(tmp_path, KEY_PASSWORD)
    refused = _import(tmp_path / "argv.db", key, cert, "--key-password", KEY_PASSWORD)
    assert refused.returncode == 2 and "unrecognized arguments" in refused.stderr
