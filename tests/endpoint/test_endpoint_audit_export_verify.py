"""`verify-audit --input FILE`: an exported audit log (a copy kept elsewhere, a SIEM's) is
checked as the database is, without a database; edits, deletions, a damaged line and a
truncated end are reported, with exit code 1."""

from __future__ import annotations

import json
import subprocess

import pytest
from endpoint_harness import ENDPOINT_COMMAND
from endpoint_support import enrolment_factory


@pytest.fixture
def exported(start_server, tmp_path):
    server = start_server("sqlite")
    make = enrolment_factory(server)
    alice, bob = make(), make()
    alice.send("audited", [bob.staff_id], b"x" * 1000)
    export = tmp_path / "audit.jsonl"
    written = server.admin("export-audit", "--output", str(export))
    head = written.stdout.split("; head ")[1].split()[0]
    return export, head


def _verify(export, *extra: str) -> tuple[int, dict]:
    """As on a machine with no endpoint database: the address given names none."""
    done = subprocess.run([*ENDPOINT_COMMAND, "admin", "--database", "sqlite:////nonexistent/"
                           "no.db", "verify-audit", "--input", str(export), *extra],
                          capture_output=True, text=True, timeout=60)
    return done.returncode, json.loads(done.stdout)


def _lines(export) -> list[str]:
    return export.read_text().splitlines(keepends=True)


def test_an_untouched_export_is_intact_with_the_head_it_was_exported_with(exported):
    export, head = exported
    code, result = _verify(export, "--expect-head", head)
    assert (code, result["intact"], result["head"]) == (0, True, head)
    assert result["rows"] == len(_lines(export)) > 3


def test_an_edited_row_is_found(exported):
    export, _ = exported
    lines = _lines(export)
    row = json.loads(lines[2])
    row["actor"] = "someone-else"
    lines[2] = json.dumps(row, sort_keys=True) + "\n"
    export.write_text("".join(lines))
    code, result = _verify(export)
    assert code == 1 and result["problems"] == [
        f"row {row['seq']}: contents do not match its hash (edited)"]


def test_a_deleted_row_and_a_damaged_line_are_found(exported):
    export, _ = exported
    lines = _lines(export)
    del lines[1]
    lines[2] = "not json at all\n"
    export.write_text("".join(lines))
    code, result = _verify(export)
    assert code == 1
    assert any("rows deleted" in problem for problem in result["problems"])
    assert "line 3: not an audit row (damaged or written by hand)" in result["problems"]


def test_a_truncated_end_is_found_by_the_head_kept(exported):
    export, head = exported
    export.write_text("".join(_lines(export)[:-1]))
    code, result = _verify(export, "--expect-head", head)
    assert code == 1 and "no longer in the log" in result["problems"][0]
