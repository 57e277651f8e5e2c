"""The audit log records metadata, never content, and verify-audit detects tampering."""

from __future__ import annotations

import json

import pytest
from endpoint_support import enrolment_factory
from endpoint_harness import EndpointServer

from medsnap_endpoint import admin, audit
from medsnap_endpoint.storage import open_database


@pytest.fixture(params=["sqlite", "postgresql"])
def busy_server(request, start_server):
    running = start_server(request.param)
    make = enrolment_factory(running)
    alice, bob = make(), make()
    secret = b"PATIENT-NAME-JANE-DOE " * 50
    alice.send("audited-1", [bob.staff_id], secret)
    [item] = bob.inbox()
    bob.download(item["id"])
    bob.acknowledge(item["id"])
    running.alice, running.bob, running.secret = alice, bob, secret
    return running


def _verify(running, *extra: str) -> tuple[int, dict]:
    result = running.admin("verify-audit", *extra, check=False)
    return result.returncode, json.loads(result.stdout)


def test_audit_records_who_to_whom_size_and_id_but_never_content(busy_server):
    rows = [json.loads(line) for line in busy_server.admin("export-audit").stdout.splitlines()]
    actions = [row["action"] for row in rows]
    assert actions[:1] == ["init_ca"] and "enrol" in actions
    send = next(row for row in rows if row["action"] == "send")
    detail = json.loads(send["detail"])
    assert send["actor"] == busy_server.alice.staff_id and send["subject"] == "audited-1"
    assert detail["to"] == [busy_server.bob.staff_id]
    assert detail["size"] == len(busy_server.secret)
    assert ["download", "acknowledge"] == [r["action"] for r in rows
                                          if r["action"] in ("download", "acknowledge")]
    assert b"JANE" not in busy_server.admin("export-audit").stdout.encode()
    code, report = _verify(busy_server)
    assert code == 0 and report["intact"] and report["rows"] == len(rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def audited_database(request, make_database_url):
    """A database whose audit log holds a few real administrative events (no server needed)."""
    url = make_database_url(request.param)
    database = open_database(url)
    try:
        admin.init_ca(database, "Audit Test Root", unencrypted_key=True)
        for staff_id in ("T1", "T2", "T3"):
            admin.add_clinician(database, staff_id=staff_id, email=f"{staff_id}@h.example",
                                display_name=f"Person {staff_id}")
        admin.set_enabled(database, "T2", False)
    finally:
        database.close()
    return EndpointServer(url)  # not started: only its admin() helper is used


def _tamper(running, sql: str, params: tuple = ()) -> None:
    database = open_database(running.database_url)
    try:
        with database.transaction(write=True) as tx:
            tx.execute(sql, params)
    finally:
        database.close()


def test_verify_detects_an_edited_row(audited_database):
    assert _verify(audited_database)[0] == 0
    _tamper(audited_database, "UPDATE audit_log SET subject = 'T9' WHERE subject = 'T2' "
            "AND action = 'disable'")
    code, report = _verify(audited_database)
    assert code == 1 and any("edited" in problem for problem in report["problems"])


def test_verify_detects_a_deleted_row(audited_database):
    _tamper(audited_database, "DELETE FROM audit_log WHERE seq = 2")
    code, report = _verify(audited_database)
    assert code == 1 and any("deleted" in problem for problem in report["problems"])


def test_verify_detects_reordered_rows(audited_database):
    _tamper(audited_database, "UPDATE audit_log SET seq = -1 WHERE seq = 2")
    _tamper(audited_database, "UPDATE audit_log SET seq = 2 WHERE seq = 3")
    _tamper(audited_database, "UPDATE audit_log SET seq = 3 WHERE seq = -1")
    code, report = _verify(audited_database)
    assert code == 1 and any("reordered" in problem for problem in report["problems"])


def test_verify_detects_truncation_against_an_exported_head(audited_database):
    _, before = _verify(audited_database)
    database = open_database(audited_database.database_url)
    try:
        admin.set_enabled(database, "T2", True)
        assert audit.verify(database, expect_head=before["head"]).intact  # the log only grew
        latest = audit.verify(database).head
    finally:
        database.close()
    _tamper(audited_database, "DELETE FROM audit_log WHERE hash = ?", (latest,))
    assert _verify(audited_database)[0] == 0  # the chain alone cannot see a cut tail...
    code, report = _verify(audited_database, "--expect-head", latest)
    assert code == 1 and report["problems"]  # ...the exported head can
