"""docs/ADMIN.md and the endpoint unit stay true to the code they describe."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "packaging" / "linux" / "medsnap-endpoint.service"
spec = importlib.util.spec_from_file_location("make_policy_docs", REPO / "packaging" / "make_policy_docs.py")
make_policy_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_policy_docs)


def endpoint_help(*words: str) -> str:
    endpoint = Path(sys.executable).with_name("medsnap-endpoint")
    result = subprocess.run([str(endpoint), *words, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_policy_reference_matches_the_declarations():
    text = make_policy_docs.ADMIN_MD.read_text(encoding="utf-8")
    assert make_policy_docs.render(text) == text, "run packaging/make_policy_docs.py"
    assert make_policy_docs.policy_table() in text


def test_unit_uses_only_options_the_endpoint_has():
    unit = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    serve = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert " serve " in serve
    options = set(re.findall(r"(--[a-z-]+)", serve))
    assert options and options <= set(re.findall(r"(--[a-z-]+)", endpoint_help("serve")))
    assert "ExecStartPre=/opt/medsnap-endpoint/venv/bin/medsnap-endpoint migrate" in unit
    endpoint_help("migrate")


def test_documented_admin_commands_exist():
    text = make_policy_docs.ADMIN_MD.read_text(encoding="utf-8")
    documented = set(re.findall(r"medsnap-endpoint admin ([a-z-]+)", text))
    assert {"init-ca", "add-clinician", "revoke", "export-audit", "verify-audit"} <= documented
    for command in documented:
        usage = endpoint_help("admin", command)
        for option in re.findall(rf"medsnap-endpoint admin {command} [^\n`]*?(--[a-z-]+)", text):
            assert option in usage, (command, option)


def test_unit_stops_on_a_ca_password_that_does_not_unlock():
    """Exit 5 (and a usage error, 2) would fail again at every restart, 5 s apart, for ever."""
    from medsnap_endpoint.cli import EXIT_CODES

    assert "  5  serve: the stored CA key is encrypted" in EXIT_CODES
    [line] = [line for line in UNIT.read_text().splitlines()
              if line.startswith("RestartPreventExitStatus=")]
    assert line.split("=", 1)[1].split() == ["2", "5"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_unit_passes_systemd_analyze(tmp_path):
    endpoint = Path(sys.executable).with_name("medsnap-endpoint")
    unit = tmp_path / "medsnap-endpoint.service"
    unit.write_text(UNIT.read_text().replace("/opt/medsnap-endpoint/venv/bin/medsnap-endpoint", str(endpoint)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
