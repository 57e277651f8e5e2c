"""A letter whose sender was revoked after it arrived: the list marks it, and the viewer shows
it with the caution instead of "✓ Verified" (the rule: crypto/letter_revocation)."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from medsnap.crypto.identity import ClinicianIdentity
from medsnap.crypto.letter_model import OpenedLetter, Verification
from medsnap.crypto.letter_revocation import RevokedAfterArrival, SenderRevocation
from medsnap.messaging.inbox import InboxItem
from medsnap.messaging.inbox_preview import Preview
from medsnap.ui.inbox_view import row_facts
from medsnap.ui.letter_viewer import LetterViewer

UTC = dt.timezone.utc
ARRIVED = dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
REVOKED = dt.datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def _item(mark: dict, state: str = "opened") -> InboxItem:
    verdict = {"from": "Dr A Doctor", "from_staff_id": "C123", "sender_revoked": mark}
    return InboxItem("m1", "C123", 100, int(ARRIVED.timestamp()), 0, state, verdict, None,
                     Preview("check line 3", "urgent"))


def test_the_list_marks_a_revoked_sender_and_keeps_the_preview():
    opens = row_facts(_item({"revoked_at": int(REVOKED.timestamp()), "reason": "unspecified",
                             "opens": True}))
    assert opens["line"].startswith("⚠ sender revoked since ")
    assert opens["line"].endswith(" · check line 3") and opens["urgent"]
    refused = row_facts(_item({"revoked_at": int(REVOKED.timestamp()),
                               "reason": "keyCompromise", "opens": False}, "verified"))
    assert "(key compromised): will not open" in refused["line"]
    assert refused["sender"] == "● Dr A Doctor"


def test_the_viewer_shows_the_caution_instead_of_verified(qtbot):
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(png, "PNG")
    revoked = RevokedAfterArrival(ARRIVED, SenderRevocation(REVOKED, "unspecified", False))
    letter = OpenedLetter(
        message_id="ab" * 16, sender=ClinicianIdentity("c123@h.example", "C123", "Dr A Doctor"),
        recipients=("me@h.example",), issued_at=ARRIVED, expires_at=REVOKED,
        image=png.getvalue(), media_type="image/png", note="check line 3",
        declaration="not-identifiable", annotations=None,
        verification=Verification(1, "00" * 32, True, sender_revoked=revoked))
    viewer = LetterViewer(False)
    qtbot.addWidget(viewer)
    viewer.show_letter(letter)
    text = viewer.verdict.text()
    assert viewer.verdict.property("tone") == "bad" and "✓ Verified" not in text
    assert "Verified when it arrived on" in text and "Dr A Doctor&#x27;s certificate was " \
        "revoked on" in text
    assert viewer.note.text() == "check line 3"
