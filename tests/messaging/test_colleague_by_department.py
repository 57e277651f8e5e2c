"""`medsnap send --to DEPARTMENT` finds a colleague as the window's To box does: by department
when no name matches (NU5: "--to Acute" matched 0 colleagues; the window listed one)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from messaging_support import PASSPHRASE, start_endpoint

from medsnap.messaging.errors import RecipientNotFound
from medsnap.messaging.session import enrol
from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database


def test_a_department_names_its_one_colleague_or_lists_several(make_desk):
    server = start_endpoint(Path(tempfile.mkdtemp(prefix="medsnap-msg-dept-")))
    try:
        sender = make_desk().enrol(server, "Dee Partment")
        for staff_id, name, department in (("acute1", "Dr Ann Acute", "Acute Medicine"),
                                           ("renal1", "Dr Rob Renal", "Renal"),
                                           ("renal2", "Dr Rae Renal", "Renal")):
            database = open_database(server.database_url)
            try:
                code, _ = admin.add_clinician(database, staff_id=staff_id, display_name=name,
                                              email=f"{staff_id}@hospital.example",
                                              role="FY2", department=department)
            finally:
                database.close()
            desk = make_desk()  # enrolled: the directory lists those with certificates
            enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=server.url,
                  keystore=desk.keystore).close()
        entry = sender._look_up("Acute Medicine")
        assert entry["staff_id"] == "acute1"
        with pytest.raises(RecipientNotFound, match="matches 2 colleagues"):
            sender._look_up("Renal")
        sender.close()
    finally:
        server.stop()
