"""`medsnap inbox` lists letters in the order of the times it shows (the sender's signed
time), as the window does, not in the order this workstation happened to fetch them (NU5:
ids 1, 3, 10, 11, 7, 8, 9 under 06:07, 06:10, 06:18, 06:19, 06:15...)."""

from __future__ import annotations

import time

from PIL import Image

from medsnap.messaging.demo import COLLEAGUES

ADA, BEN, CHLOE = COLLEAGUES[0], COLLEAGUES[1], COLLEAGUES[2]


def _send(ward, picture, sender, *options: str) -> None:
    code, _, err = ward("send", "--to", BEN.staff_id, "--declare", "direct-care",
                        *options, str(picture), person=sender)
    assert code == 0, err


def test_inbox_lists_by_the_senders_time_not_by_arrival(ward, tmp_path):
    picture = tmp_path / "p.png"
    Image.new("RGB", (30, 20), (10, 120, 200)).save(picture)
    _send(ward, picture, ADA, "--no-send")  # signed now, kept in Ada's outbox
    time.sleep(1.1)  # times are whole seconds
    _send(ward, picture, CHLOE)  # signed later, but arrives first
    assert ward("inbox", person=BEN)[0] == 0
    time.sleep(1.1)
    code, _, err = ward("sync", person=ADA)  # Ada's earlier letter goes now
    assert code == 0, err
    code, out, err = ward("inbox", person=BEN)
    assert code == 0, err
    senders = [line for line in out.splitlines() if "verified" in line]
    assert [ADA.staff_id in line for line in senders[-2:]] == [True, False], out
    shown = [line.split()[2] + line.split()[3] for line in senders]
    assert shown == sorted(shown)
