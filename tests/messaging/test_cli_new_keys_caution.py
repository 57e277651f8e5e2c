"""`medsnap send` to a colleague whose keys changed since the last send from this computer (they
enrolled again: a new workstation, or someone pretending to be them) says so on standard error
with the new safety number, as the window warns. NU5: the command said nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from messaging_support import PASSPHRASE, start_endpoint

from medsnap.cli.refusals import colleague_or_why_not
from medsnap.messaging.session import enrol
from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database


def test_new_keys_since_the_last_send_are_cautioned_about(make_desk, capsys):
    server = start_endpoint(Path(tempfile.mkdtemp(prefix="medsnap-msg-newkeys-")))
    try:
        sender = make_desk().enrol(server, "Nell Sender")
        mover = make_desk().enrol(server, "Moe Mover")
        colleague_or_why_not(sender, mover.staff_id)  # the first send: kept, nothing said
        colleague_or_why_not(sender, "Moe Mover")
        assert "Caution" not in capsys.readouterr().err

        database = open_database(server.database_url)
        try:
            code, _ = admin.new_code(database, mover.staff_id)
        finally:
            database.close()
        desk = make_desk()
        enrol(desk.workstation, mover.staff_id, code, PASSPHRASE, endpoint_url=server.url,
              keystore=desk.keystore).close()
        colleague_or_why_not(sender, "Moe Mover")
        said = capsys.readouterr().err
        assert "Moe Mover" in said and "has new keys since you last sent" in said
        assert "safety number is now" in said
        colleague_or_why_not(sender, "Moe Mover")  # said once: the new keys are kept now
        assert "Caution" not in capsys.readouterr().err
        for session in (sender, mover):
            session.close()
    finally:
        server.stop()
