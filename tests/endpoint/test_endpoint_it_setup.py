"""What a hospital IT newcomer meets following docs/ADMIN.md, run against the real
`medsnap-endpoint` command: a locked CA key stops `serve` at once, `--database` goes before or
after the admin command, and a mistyped folder is not created."""

from __future__ import annotations

import os
import subprocess

import httpx

from endpoint_harness import ENDPOINT_COMMAND, EndpointServer, free_port

PASSWORD_VARIABLE = "MEDSNAP_ENDPOINT_CA_PASSWORD"
CA_PASSWORD = "two custodians, one password"


def _run(*args: str, password: str | None = None,
         timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in (PASSWORD_VARIABLE, "MEDSNAP_ENDPOINT_DATABASE")}
    if password is not None:
        env[PASSWORD_VARIABLE] = password
    return subprocess.run([*ENDPOINT_COMMAND, *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def _encrypted_endpoint(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'endpoint.db'}"
    made = _run("admin", "--database", url, "init-ca", "--name", "IT Root", password=CA_PASSWORD)
    assert made.returncode == 0, made.stderr
    return url


def _serve(url: str, password: str | None) -> tuple[subprocess.CompletedProcess, int]:
    port = free_port()
    try:
        result = _run("serve", "--database", url, "--port", str(port), password=password,
                      timeout=30)
    except subprocess.TimeoutExpired:  # it started serving: the bug this file guards against
        raise AssertionError("serve started although the CA key cannot be unlocked") from None
    return result, port


def test_serve_refuses_an_encrypted_ca_key_without_its_password(tmp_path):
    url = _encrypted_endpoint(tmp_path)
    result, port = _serve(url, password=None)
    assert result.returncode == 5, result.stderr
    assert PASSWORD_VARIABLE in result.stderr and "Nothing was served" in result.stderr
    assert "Traceback" not in result.stderr
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        raise AssertionError("something answers on the port serve refused")
    except httpx.ConnectError:
        pass


def test_serve_refuses_a_wrong_ca_password(tmp_path):
    url = _encrypted_endpoint(tmp_path)
    result, _ = _serve(url, password="not the ceremony's password")
    assert result.returncode == 5, result.stderr
    assert "does not unlock" in result.stderr and "Traceback" not in result.stderr


def test_serve_starts_with_the_right_password_and_serves_the_root(tmp_path, monkeypatch):
    url = _encrypted_endpoint(tmp_path)
    monkeypatch.setenv(PASSWORD_VARIABLE, CA_PASSWORD)  # inherited by the server process
    server = EndpointServer(url).start()
    try:
        crl = httpx.get(f"{server.url}/v1/ca/crl", timeout=10)  # signed with the unlocked key
        assert crl.status_code == 200 and "BEGIN X509 CRL" in crl.text
    finally:
        server.stop()


def test_database_is_accepted_before_or_after_the_admin_command(tmp_path):
    url = _encrypted_endpoint(tmp_path)
    after = _run("admin", "add-clinician", "C123", "--email", "a.doctor@trust.example",
                 "--name", "Dr A Doctor", "--database", url)
    assert after.returncode == 0, after.stderr
    for args in (["admin", "new-code", "C123", "--database", url],
                 ["admin", "--database", url, "new-code", "C123"],
                 ["admin", "--database", url, "new-code", "C123", "--database", url]):
        result = _run(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert '"enrolment_code"' in result.stdout
    listed = _run("admin", "list", "--database", url)
    assert listed.returncode == 0 and '"C123"' in listed.stdout


def test_two_different_databases_are_a_usage_error(tmp_path):
    url = _encrypted_endpoint(tmp_path)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = _run("admin", "--database", url, "list", "--database", other)
    assert result.returncode == 2 and "given twice" in result.stderr
    assert not (tmp_path / "other.db").exists()


def test_the_environment_variable_names_the_database_for_admin(tmp_path):
    url = _encrypted_endpoint(tmp_path)
    env = dict(os.environ, MEDSNAP_ENDPOINT_DATABASE=url)
    env.pop(PASSWORD_VARIABLE, None)
    result = subprocess.run([*ENDPOINT_COMMAND, "admin", "list"], capture_output=True,
                            text=True, timeout=60, env=env, cwd=tmp_path / "..")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_init_ca_refuses_a_folder_that_does_not_exist(tmp_path):
    result = _run("admin", "--database", f"sqlite:///{tmp_path / 'nodir' / 'x.db'}", "init-ca",
                  "--name", "Typo Root", password=CA_PASSWORD)
    assert result.returncode == 4, result.stderr
    assert "does not exist" in result.stderr and "Nothing was changed" in result.stderr
    assert not (tmp_path / "nodir").exists()


def test_serve_create_database_refuses_a_folder_that_does_not_exist(tmp_path):
    result = _run("serve", "--create-database", "--port", str(free_port()),
                  "--database", f"sqlite:///{tmp_path / 'nodir' / 'x.db'}", timeout=30)
    assert result.returncode == 4, result.stderr
    assert not (tmp_path / "nodir").exists()
