"""The real `medsnap-endpoint` keeps the root CA key and its database private, and never turns
a mistyped database path into a new, empty endpoint."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import httpx
import pytest
from endpoint_harness import ENDPOINT_COMMAND, EndpointServer

PASSWORD_VARIABLE = "MEDSNAP_ENDPOINT_CA_PASSWORD"


@pytest.fixture(autouse=True)
def like_a_new_user(monkeypatch):
    """No CA password, and the common umask 022 (new files readable by every user)."""
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    monkeypatch.delenv("MEDSNAP_ENDPOINT_DATABASE", raising=False)
    previous = os.umask(0o022)  # inherited by every process the test starts
    yield
    os.umask(previous)


def endpoint(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ENDPOINT_COMMAND, *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def admin(path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return endpoint("admin", "--database", f"sqlite:///{path}", *args, env=env)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def stored_key(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT key_pem FROM ca WHERE id = 1").fetchone()[0]


def test_init_ca_without_a_password_is_refused_unless_asked_for_in_so_many_words(tmp_path):
    database = tmp_path / "nopw.db"
    refused = admin(database, "init-ca", "--name", "X")
    assert refused.returncode == 3 and refused.stdout == ""
    assert PASSWORD_VARIABLE in refused.stderr and "--insecure-unencrypted-key" in refused.stderr
    assert "Nothing was created" in refused.stderr and "Traceback" not in refused.stderr
    assert list(tmp_path.iterdir()) == []  # not even an empty database

    trial = admin(database, "init-ca", "--name", "X", "--insecure-unencrypted-key")
    assert trial.returncode == 0 and trial.stdout.startswith("-----BEGIN CERTIFICATE-----")
    assert "UNENCRYPTED" in trial.stderr  # said every time it is done
    assert stored_key(database).startswith("-----BEGIN PRIVATE KEY-----")
    assert mode(database) == 0o600  # despite umask 022: it holds a key in clear

    key, cert = tmp_path / "root.key", tmp_path / "root.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "30", "-subj", "/CN=Imported Root",
                    "-addext", "basicConstraints=critical,CA:TRUE"], check=True,
                   capture_output=True)
    imported = admin(tmp_path / "imported.db", "import-root", "--cert", str(cert), "--key",
                     str(key))
    assert imported.returncode == 3 and "--insecure-unencrypted-key" in imported.stderr
    assert not (tmp_path / "imported.db").exists()


def test_an_encrypted_root_and_its_wal_and_shm_are_readable_by_the_owner_only(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv(PASSWORD_VARIABLE, "correct horse battery staple")
    database = tmp_path / "pw.db"
    made = admin(database, "init-ca", "--name", "Encrypted Root")
    assert made.returncode == 0 and made.stderr == "", made.stderr
    assert stored_key(database).startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    server = EndpointServer(f"sqlite:///{database}").start()  # a writer keeps -wal and -shm
    try:
        added = server.admin("add-clinician", "C123", "--email", "c@h.example", "--name", "C")
        assert json.loads(added.stdout)["staff_id"] == "C123"
        assert httpx.get(f"{server.url}/v1/ca/crl").status_code == 200  # the key unlocks
        siblings = sorted(p.name for p in tmp_path.iterdir())
        assert {"pw.db", "pw.db-wal", "pw.db-shm"} <= set(siblings)
        assert {name: mode(tmp_path / name) for name in siblings} == dict.fromkeys(siblings,
                                                                                   0o600)
    finally:
        server.stop()


def test_a_database_every_user_can_read_is_warned_about(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_VARIABLE, "pw")
    database = tmp_path / "old.db"
    assert admin(database, "init-ca", "--name", "Old Root").returncode == 0
    assert "chmod" not in admin(database, "list").stderr
    database.chmod(0o644)  # as a database made by an earlier version was
    listed = admin(database, "list")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    assert f"chmod 600 {database}" in listed.stderr


@pytest.mark.parametrize("command", [["verify-audit"], ["list"], ["new-code", "C123"],
                                     ["disable", "C123"], ["export-audit"]])
def test_a_mistyped_database_path_is_said_and_nothing_is_created(tmp_path, command):
    typo = tmp_path / "endpont.db"
    result = admin(typo, *command)
    assert result.returncode == 4 and result.stdout == ""
    assert f"There is no endpoint database at {typo}" in result.stderr
    assert "init-ca" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_not_created(tmp_path):
    result = admin(tmp_path / "nonexistent" / "dir" / "x.db", "list")
    assert result.returncode == 4 and "There is no endpoint database" in result.stderr
    assert not (tmp_path / "nonexistent").exists()
    migrate = endpoint("migrate", "--database", f"sqlite:///{tmp_path / 'x.db'}")
    assert migrate.returncode == 4 and not (tmp_path / "x.db").exists()


def test_serve_refuses_a_missing_database_unless_told_to_create_it(tmp_path):
    missing = f"sqlite:///{tmp_path / 'typo.db'}"
    refused = endpoint("serve", "--database", missing, "--port", "1")
    assert refused.returncode == 4 and "There is no endpoint database" in refused.stderr
    assert list(tmp_path.iterdir()) == []

    server = EndpointServer(missing, ["--create-database"]).start()
    try:
        answer = httpx.get(f"{server.url}/v1/ca/root")
        assert answer.status_code == 503 and "init-ca" in answer.json()["message"]
        assert mode(tmp_path / "typo.db") == 0o600
    finally:
        server.stop()


def test_a_creating_command_that_fails_leaves_no_database_behind(tmp_path):
    (tmp_path / "root.pem").write_text("not a certificate")
    failed = admin(tmp_path / "new.db", "import-root", "--cert", str(tmp_path / "root.pem"),
                   "--key", str(tmp_path / "root.pem"), "--insecure-unencrypted-key")
    assert failed.returncode == 3 and "Nothing was imported" in failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root.pem"]
