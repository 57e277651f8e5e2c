"""An enrolment code not yet used stops working once IT issues another, disables the clinician
or revokes them: a code that went astray (a leaver's, an e-mail to the wrong person) must not
enrol anybody as that clinician afterwards."""

from __future__ import annotations

import json
import uuid

import pytest
from endpoint_support import signing_serial

from medsnap_endpoint import admin
from medsnap_endpoint.client import EndpointClient, EndpointRefused
from medsnap_endpoint.storage import open_database


@pytest.fixture
def running(start_server):
    return start_server("sqlite")


def _admin(running, work):
    database = open_database(running.database_url)
    try:
        return work(database)
    finally:
        database.close()


def _add(running) -> tuple[str, str]:
    staff_id = f"W{uuid.uuid4().hex[:10]}"
    code, _ = _admin(running, lambda db: admin.add_clinician(
        db, staff_id=staff_id, email=f"{staff_id}@hospital.example", display_name="Dr Astray"))
    return staff_id, code


def _enrols(running, staff_id: str, code: str) -> bool:
    client = EndpointClient(running.url)
    try:
        client.enrol(staff_id, code)
        return True
    except EndpointRefused as refused:
        assert refused.status == 401 and refused.code == "enrolment_code_refused"
        return False
    finally:
        client.close()


def _withdrawn(running, action: str) -> int:
    [(detail,)] = _admin(running, lambda db: db.single(
        "SELECT detail FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1", (action,)))
    return json.loads(detail)["codes_withdrawn"]


def test_a_new_code_replaces_the_one_not_yet_used(running):
    staff_id, first = _add(running)
    second, _ = _admin(running, lambda db: admin.new_code(db, staff_id))
    assert _withdrawn(running, "new_code") == 1
    assert not _enrols(running, staff_id, first)
    assert _enrols(running, staff_id, second)


def test_revoking_a_leaver_withdraws_a_code_they_still_hold(running):
    staff_id, first = _add(running)
    assert _enrols(running, staff_id, first)
    spare, _ = _admin(running, lambda db: admin.new_code(db, staff_id))  # never used
    assert _admin(running, lambda db: admin.revoke(db, staff_id=staff_id, reason="left")) == 2
    assert _withdrawn(running, "revoke") == 1
    assert not _enrols(running, staff_id, spare)


def test_a_code_from_before_a_disable_does_not_work_after_enable(running):
    staff_id, first = _add(running)
    _admin(running, lambda db: admin.set_enabled(db, staff_id, False))
    _admin(running, lambda db: admin.set_enabled(db, staff_id, True))
    assert _withdrawn(running, "disable") == 1
    assert not _enrols(running, staff_id, first)
    fresh, _ = _admin(running, lambda db: admin.new_code(db, staff_id))
    assert _enrols(running, staff_id, fresh)


def test_revoking_one_certificate_keeps_a_code_issued_for_the_new_device(running):
    """A lost laptop: IT may issue the new device's code first and revoke the old one after."""
    staff_id, first = _add(running)
    assert _enrols(running, staff_id, first)
    replacement, _ = _admin(running, lambda db: admin.new_code(db, staff_id))
    serial = str(signing_serial(running, staff_id))
    assert _admin(running, lambda db: admin.revoke(db, serial=serial, reason="key-compromise")) == 1
    assert _enrols(running, staff_id, replacement)
