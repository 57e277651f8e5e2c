"""docs/ADMIN.md as IT follows it: every `medsnap-endpoint admin` line of its shell blocks runs
as written, and the ward PC prerequisites say that clinicians' keys need a system keyring.

Each block starts from a shell with no MEDSNAP_ENDPOINT_* variables (a reader may open the
document at any heading); its own `export` lines count, with the PostgreSQL address swapped
for a SQLite file and the `...` password for a real one. The lines run in document order
against one real `medsnap-endpoint`, as an administrator would type them in a root shell:
each runs as the `medsnap` user through `runuser -u medsnap --`, as written, where the test
runs as root with `runuser` (CI: the user is made as ADMIN.md's Install does, and removed).
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from endpoint_harness import ENDPOINT_COMMAND

ADMIN_MD = Path(__file__).resolve().parents[2] / "docs" / "ADMIN.md"
BLOCK = re.compile(r"^ *```sh\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
OURS = ("MEDSNAP_ENDPOINT_DATABASE", "MEDSNAP_ENDPOINT_CA_PASSWORD")


def _shell_blocks() -> list[list[str]]:
    """Each block's lines, continuations joined and comments dropped."""
    blocks = []
    for body in BLOCK.findall(ADMIN_MD.read_text(encoding="utf-8")):
        joined = re.sub(r"\\\n\s*", " ", body)
        blocks.append([shlex.split(line, comments=True) for line in joined.splitlines()
                       if line.strip()])
    return blocks


def _as_run_here(assignment: str, database_url: str) -> tuple[str, str]:
    name, _, value = assignment.partition("=")
    if name == "MEDSNAP_ENDPOINT_DATABASE":
        value = database_url  # the document's PostgreSQL address: this test's SQLite file
    elif name == "MEDSNAP_ENDPOINT_CA_PASSWORD" and value == "...":
        value = "ceremony password"
    return name, value


SERVICE_USER = "medsnap"


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def service_user() -> Iterator[str | None]:
    """Who runs the lines through runuser: ``medsnap`` (made if missing) if it can run this
    checkout, else root; None without root or runuser (then the command alone runs)."""
    if os.geteuid() != 0 or not shutil.which("runuser"):
        yield None
        return
    made = False
    if not _user_exists(SERVICE_USER):
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", SERVICE_USER], check=True, timeout=60)
        made = True
    try:
        probe = subprocess.run(["runuser", "-u", SERVICE_USER, "--", *ENDPOINT_COMMAND,
                                "--help"], capture_output=True, timeout=60)
        # a checkout only root may execute (as here and in CI) cannot run as medsnap: then
        # runuser runs the line as root, still keeping the exported variables
        yield SERVICE_USER if probe.returncode == 0 else "root"
    finally:
        if made:
            subprocess.run(["userdel", SERVICE_USER], check=False, timeout=60)


def _as_written(words: list[str]) -> tuple[str | None, list[str]]:
    """The user a line runs as (``runuser -u USER -- ...``; None: the shell's), its command."""
    if words[:2] == ["runuser", "-u"] and words[3:4] == ["--"]:
        return words[2], words[4:]
    return None, words


def test_every_admin_example_runs_as_written(service_user):
    work = Path(tempfile.mkdtemp(prefix="medsnap-admin-md-"))
    if service_user:  # the root shell's folder, which the service user may write (the db)
        shutil.chown(work, service_user)
    try:
        _run_admin_lines(work, service_user)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_admin_lines(work: Path, service_user: str | None) -> None:
    database_url = f"sqlite:///{work / 'endpoint.db'}"
    ran: list[str] = []
    for block in _shell_blocks():
        env = {k: v for k, v in os.environ.items() if k not in OURS}
        for words in block:
            if words[:1] == ["export"]:
                env.update(_as_run_here(word, database_url) for word in words[1:])
                continue
            user, command = _as_written(words)
            if command[:2] != ["medsnap-endpoint", "admin"]:
                continue
            # as root, peer authentication would refuse postgresql://medsnap@/medsnap
            assert user == SERVICE_USER, ("not run as the medsnap user", shlex.join(words))
            output = None
            if ">" in command:  # `... > medsnap-root.pem`, written by the root shell
                command, output = command[:command.index(">")], command[command.index(">") + 1]
            as_user = ["runuser", "-u", service_user, "--"] if service_user else []
            result = subprocess.run([*as_user, *ENDPOINT_COMMAND, *command[1:]],
                                    capture_output=True, text=True, timeout=60, env=env,
                                    cwd=work)
            assert result.returncode == 0, (shlex.join(words), result.stderr)
            if output:
                (work / output).write_text(result.stdout)
            ran.append(command[2])
    # the ceremony's init-ca and every Clinicians example, in document order
    assert ran == ["init-ca", "add-clinician", "new-code", "disable", "revoke", "list"]
    assert "BEGIN CERTIFICATE" in (work / "medsnap-root.pem").read_text()
    assert not (work / "medsnap-endpoint.db").exists()  # none ran on the default database
    if service_user:  # the service can open what the commands made
        assert (work / "endpoint.db").stat().st_uid == pwd.getpwnam(service_user).pw_uid


def test_no_example_needs_sudo_and_the_secret_files_modes_agree():
    """A minimal Debian root shell has no sudo; the env file is 0640 root:medsnap in the
    document and in the unit; the TLS key's owner and mode are said."""
    text = ADMIN_MD.read_text(encoding="utf-8")
    for block in _shell_blocks():
        for words in block:
            assert words[:1] != ["sudo"], shlex.join(words)
    unit = (ADMIN_MD.parents[1] / "packaging" / "linux" / "medsnap-endpoint.service").read_text()
    assert "0640" in unit and "root:medsnap" in unit and "0600" not in unit
    assert "mode 0640" in text and "root" in text
    tls = text.split("### TLS", 1)[1].split("\n### ", 1)[0]
    assert "privkey.pem" in tls and "mode 0600" in tls and "owner `medsnap`" in tls
    clinicians = text.split("### Clinicians", 1)[1].split("\n### ", 1)[0]
    assert "exit code 5" in clinicians and "MEDSNAP_ENDPOINT_CA_PASSWORD" in clinicians


def test_ward_pc_prerequisites_name_the_system_keyring():
    """IT reads ADMIN.md, not README: the keyring clinicians' keys need is said there."""
    text = ADMIN_MD.read_text(encoding="utf-8")
    section = text.split("## Ward PCs: what each one needs", 1)[1].split("\n## ", 1)[0]
    for needed in ("Credential Manager", "Secret Service", "medsnap enrol"):
        assert needed in section, needed
    assert text.index("## Ward PCs") < text.index("## Windows: the MSI")
