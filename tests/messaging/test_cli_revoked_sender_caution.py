"""`medsnap inbox` and `medsnap open` after IT revoked a sender whose letter arrived before:
the list line carries the mark, `open` prints the caution before saving (the window's viewer
says the same); after `revoke --reason key-compromise` the letter is not opened at all.
A real demo endpoint in this process; commands through medsnap.cli.main."""

from __future__ import annotations

import json
import time

from messaging_support import demo_database_url
from PIL import Image

from medsnap.messaging.demo import COLLEAGUES
from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database

ADA, BEN, CHLOE = COLLEAGUES[0], COLLEAGUES[1], COLLEAGUES[2]


def _revoke(database_url: str, staff_id: str, reason: str | None) -> None:
    time.sleep(1.1)  # the endpoint dates revocations in whole seconds
    database = open_database(database_url)
    try:
        admin.revoke(database, staff_id=staff_id, reason=reason)
    finally:
        database.close()


def _received_one(ward, tmp_path, sender, note: str, *options: str) -> str:
    picture = tmp_path / "p.png"
    Image.new("RGB", (30, 20), (10, 120, 200)).save(picture)
    code, _, err = ward("send", "--to", BEN.staff_id, "--declare", "direct-care", "--note", note,
                        *options, str(picture), person=sender)
    assert code == 0, err
    code, out, err = ward("inbox", person=BEN)
    assert code == 0, err
    return next(line.split()[0] for line in out.splitlines() if sender.staff_id in line
                and "REFUSED" not in line and line.split()[1] == "verified")


def test_a_leavers_letter_is_marked_and_opens_with_a_caution(ward, demo_home, tmp_path):
    item = _received_one(ward, tmp_path, ADA, "line 3")
    _revoke(demo_database_url(demo_home), ADA.staff_id, "left")
    code, out, err = ward("inbox", person=BEN)
    assert code == 0, err
    [line] = [line for line in out.splitlines() if line.startswith(f"{item} ")]
    assert "sender revoked since" in line
    code, out, err = ward("open", item, "-o", str(tmp_path / "seen.png"), person=BEN)
    assert code == 0, err
    assert "Caution: Verified when it arrived on" in out and (tmp_path / "seen.png").exists()


def test_a_compromised_senders_letter_is_not_opened(ward, demo_home, tmp_path):
    item = _received_one(ward, tmp_path, CHLOE, "bed 2", "--urgent")
    _revoke(demo_database_url(demo_home), CHLOE.staff_id, "key-compromise")
    code, out, err = ward("open", item, "-o", str(tmp_path / "never.png"), person=BEN)
    assert code != 0 and not (tmp_path / "never.png").exists()
    code, out, err = ward("inbox", person=BEN)
    [line] = [line for line in out.splitlines() if line.startswith(f"{item} ")]
    assert "will not open" in line and "URGENT" not in line  # nothing its sender wrote
    code, out, err = ward("inbox", "--json", person=BEN)
    [entry] = [entry for entry in json.loads(out) if entry["id"] == item]
    assert entry["urgent"] is False
