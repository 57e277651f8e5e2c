"""Mistakes a hospital IT engineer makes on a first deployment, and what the admin commands
say: an enrolment code valid for no time at all, a certificate serial copied from openssl
(hex) or mistyped, a revocation that matched nothing. Each is refused or said, never a silent
success that changed nothing."""

from __future__ import annotations

import json

import pytest
from endpoint_support import signing_serial

from medsnap_endpoint.storage import open_database


def _listed(server) -> set[str]:
    return {row["staff_id"] for row in json.loads(server.admin("list").stdout)}


def _revoked(server, serial: int) -> bool:
    database = open_database(server.database_url)
    try:
        with database.transaction() as tx:
            [(revoked_at,)] = tx.all("SELECT revoked_at FROM certificates WHERE serial = ?",
                                     (str(serial),))
    finally:
        database.close()
    return revoked_at is not None


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


def test_a_serial_as_openssl_prints_it_revokes_that_certificate(server, enrol):
    someone = enrol()
    serial = signing_serial(server, someone.staff_id)
    done = server.admin("revoke", "--serial", f"0x{serial:040X}", "--reason", "key-compromise")
    assert json.loads(done.stdout) == {"revoked": 1} and done.stderr == ""
    assert _revoked(server, serial)


def test_a_serial_that_is_no_number_is_refused_before_anything_changes(server, enrol):
    someone = enrol()
    serial = signing_serial(server, someone.staff_id)
    hex_digits = f"{serial:040X}"  # openssl's serial=... without the 0x
    if hex_digits.isdigit():  # one in ~10^8: no letter to tell it from a decimal number
        pytest.skip("this serial's hex digits are all decimal digits")
    refused = server.admin("revoke", "--serial", hex_digits, check=False)
    assert refused.returncode == 2 and "0x" in refused.stderr and "'admin list'" in refused.stderr
    assert "nothing was revoked" in refused.stderr and refused.stdout == ""
    assert not _revoked(server, serial)


def test_a_revocation_that_matched_nothing_says_so(server, enrol):
    unknown = server.admin("revoke", "--serial", "12345")
    assert json.loads(unknown.stdout) == {"revoked": 0}
    assert "nothing was revoked: serial 12345" in unknown.stderr
    assert "'admin list' shows each certificate's" in unknown.stderr  # where serials are
    someone = enrol()
    server.admin("revoke", someone.staff_id, "--reason", "left")
    twice = server.admin("revoke", someone.staff_id, "--reason", "left")
    assert json.loads(twice.stdout) == {"revoked": 0}
    assert f"nothing was revoked: {someone.staff_id} has no certificate" in twice.stderr
