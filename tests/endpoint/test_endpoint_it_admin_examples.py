"""docs/ADMIN.md as IT follows it: every `medsnap-endpoint admin` line of its shell blocks runs
as written, and the ward PC prerequisites say that clinicians' keys need a system keyring.

Each block starts from a shell with no MEDSNAP_ENDPOINT_* variables (a reader may open the
document at any heading); its own `export` lines count, with the PostgreSQL address swapped
for a SQLite file and the `...` password for a real one. The lines run in document order
against one real `medsnap-endpoint`, as an administrator would type them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

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


def test_every_admin_example_runs_as_written(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'endpoint.db'}"
    ran: list[str] = []
    for block in _shell_blocks():
        env = {k: v for k, v in os.environ.items() if k not in OURS}
        for words in block:
            if words[:1] == ["export"]:
                env.update(_as_run_here(word, database_url) for word in words[1:])
                continue
            if words[:2] != ["medsnap-endpoint", "admin"]:
                continue
            output = None
            if ">" in words:  # `... > medsnap-root.pem`
                words, output = words[:words.index(">")], words[words.index(">") + 1]
            result = subprocess.run([*ENDPOINT_COMMAND, *words[1:]], capture_output=True,
                                    text=True, timeout=60, env=env, cwd=tmp_path)
            assert result.returncode == 0, (shlex.join(words), result.stderr)
            if output:
                (tmp_path / output).write_text(result.stdout)
            ran.append(words[2])
    # the ceremony's init-ca and every Clinicians example, in document order
    assert ran == ["init-ca", "add-clinician", "new-code", "disable", "revoke", "list"]
    assert "BEGIN CERTIFICATE" in (tmp_path / "medsnap-root.pem").read_text()
    assert not (tmp_path / "medsnap-endpoint.db").exists()  # none ran on the default database


def test_ward_pc_prerequisites_name_the_system_keyring():
    """IT reads ADMIN.md, not README: the keyring clinicians' keys need is said there."""
    text = ADMIN_MD.read_text(encoding="utf-8")
    section = text.split("## Ward PCs: what each one needs", 1)[1].split("\n## ", 1)[0]
    for needed in ("Credential Manager", "Secret Service", "medsnap enrol"):
        assert needed in section, needed
    assert text.index("## Ward PCs") < text.index("## Windows: the MSI")
