"""PostgreSQL problems met by the real `medsnap-endpoint admin`: a missing driver, a server that
refuses the connection, a database that does not exist - plain messages with exit code 4."""

from __future__ import annotations

import json
import os
import subprocess
import tomllib
from pathlib import Path

from endpoint_harness import ENDPOINT_COMMAND, free_port

REPO = Path(__file__).resolve().parents[2]


def admin(url: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ENDPOINT_COMMAND, "admin", "--database", url, *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_without_the_driver_the_extra_to_install_is_named(tmp_path):
    # a plain install has no psycopg: an import path where it cannot be imported stands in
    shadow = tmp_path / "psycopg"
    shadow.mkdir()
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    result = admin(f"postgresql://nobody@127.0.0.1:{free_port()}/x", "list",
                   env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 4 and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert any(dependency.startswith("psycopg") for dependency in extras["postgresql"])
    assert "PostgreSQL driver is not installed" in result.stderr
    assert "pip install 'medsnap[postgresql]'" in result.stderr


def test_a_server_that_refuses_the_connection_is_a_message():
    result = admin(f"postgresql://nobody:secret@127.0.0.1:{free_port()}/x", "list")
    assert result.returncode == 4 and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert "could not be opened" in result.stderr and "Connection refused" in result.stderr
    assert "secret" not in result.stderr  # the password is not repeated


def test_a_database_the_cluster_lacks_is_said_and_a_created_one_is_used(pg_cluster,
                                                                      monkeypatch):
    missing = admin(pg_cluster.url("medsnap_no_such_database"), "verify-audit")
    assert missing.returncode == 4 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr

    url = pg_cluster.create_database()  # createdb, as docs/ADMIN.md says: then init-ca
    refused = admin(url, "init-ca", "--name", "PG Root")
    assert refused.returncode == 3 and "MEDSNAP_ENDPOINT_CA_PASSWORD" in refused.stderr
    monkeypatch.setenv("MEDSNAP_ENDPOINT_CA_PASSWORD", "pg root password")
    assert admin(url, "init-ca", "--name", "PG Root").returncode == 0
    assert json.loads(admin(url, "verify-audit").stdout)["rows"] == 1
