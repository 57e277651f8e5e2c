"""`admin export-audit --output F`: refuses an existing F unless --force, writes it 0600 (it
names staff), and prints how many entries it wrote and the head to keep for verify-audit."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest
from endpoint_harness import EndpointServer

from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database


@pytest.fixture
def audited(make_database_url) -> EndpointServer:
    url = make_database_url("sqlite")
    database = open_database(url)
    try:
        admin.init_ca(database, "Export Test Root", unencrypted_key=True)
        admin.add_clinician(database, staff_id="E1", email="e1@h.example",
                            display_name="Person E1")
    finally:
        database.close()
    return EndpointServer(url)  # not started: only its admin() helper is used


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_export_writes_0600_and_prints_the_head_to_keep(audited, tmp_path):
    target = tmp_path / "audit.jsonl"
    previous = os.umask(0o022)
    try:
        result = audited.admin("export-audit", "--output", str(target))
    finally:
        os.umask(previous)
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    head = rows[-1]["hash"]
    assert result.stdout == (f"Exported {len(rows)} entries to {target}; head {head} "
                             f"(keep it: verify-audit --expect-head {head})\n")
    assert _mode(target) == 0o600
    command = re.search(r"keep it: (verify-audit --expect-head \w+)", result.stdout).group(1)
    report = json.loads(audited.admin(*command.split()).stdout)
    assert report["intact"] and report["head"] == head


def test_export_refuses_an_existing_file_unless_forced(audited, tmp_path):
    target = tmp_path / "audit.jsonl"
    target.write_text("the previous export\n")
    target.chmod(0o644)
    refused = audited.admin("export-audit", "--output", str(target), check=False)
    assert refused.returncode == 3 and refused.stdout == ""
    assert "exists already" in refused.stderr and "--force" in refused.stderr
    assert target.read_text() == "the previous export\n"
    forced = audited.admin("export-audit", "--output", str(target), "--force")
    assert forced.stdout.startswith(f"Exported 2 entries to {target}; head ")
    assert [json.loads(line)["action"] for line in target.read_text().splitlines()] == [
        "init_ca", "add_clinician"]
    assert _mode(target) == 0o600


def test_export_to_standard_output_keeps_it_json_and_says_the_head_on_stderr(audited):
    result = audited.admin("export-audit")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2
    assert f"head {rows[-1]['hash']} (keep it: verify-audit --expect-head" in result.stderr


def test_a_failed_forced_export_leaves_the_previous_one_whole(audited, tmp_path, monkeypatch,
                                                              capsys):
    """--force replaces the earlier export only once the new one is complete: a failure
    half way (a fault injected into the export) leaves it as it was, and no stray file."""
    from medsnap_endpoint.cli import main

    target = tmp_path / "audit.jsonl"
    assert audited.admin("export-audit", "--output", str(target)).returncode == 0
    before = target.read_bytes()

    def half_way(database, out):
        out.write('{"seq": 1}\n')
        raise OSError("disk full")

    monkeypatch.setattr(admin, "export_audit", half_way)
    code = main(["admin", "--database", audited.database_url, "export-audit", "--output",
                 str(target), "--force"])
    assert code != 0 and "disk full" in capsys.readouterr().err
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.jsonl"]
