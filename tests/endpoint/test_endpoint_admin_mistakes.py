"""Mistakes a hospital IT engineer makes on a first deployment, and what the admin commands
say: an enrolment code valid for no time at all is refused, never a silent success that
printed a useless code."""

from __future__ import annotations

import json

import pytest


def _listed(server) -> set[str]:
    return {row["staff_id"] for row in json.loads(server.admin("list").stdout)}


@pytest.mark.parametrize("hours", ["0", "-5", "soon"])
def test_a_code_valid_for_no_time_is_refused_and_nobody_is_added(server, hours):
    added = server.admin("add-clinician", "ZEROHOURS", "--email", "zero@hospital.example",
                         "--name", "Dr Zero", "--code-hours", hours, check=False)
    assert added.returncode == 2, added.stdout
    assert "1 or more" in added.stderr and "nothing was changed" in added.stderr
    assert added.stdout == "" and "ZEROHOURS" not in _listed(server)


def test_a_new_code_valid_for_no_time_is_refused(server, enrol):
    someone = enrol()
    again = server.admin("new-code", someone.staff_id, "--code-hours", "0", check=False)
    assert again.returncode == 2 and "1 or more" in again.stderr and again.stdout == ""
