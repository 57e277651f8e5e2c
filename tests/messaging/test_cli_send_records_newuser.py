"""`medsnap send` of PDF letters and DICOM images, as a ward clinician met it: the same record
options and cautions as `medsnap export`, no page of a letter chosen silently, a protected PDF
that can be opened. A real demo endpoint (in this process); commands run through
medsnap.cli.main; what Ben receives is compared with the page or frame that was asked for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from medsnap.imaging import load_picture
from medsnap.messaging.demo import COLLEAGUES
from tests.imaging.record_fixtures import (dicom_bytes, dicom_dataset, encrypted_pdf,
                                           pdf_letter, ramp)

ADA, BEN = COLLEAGUES[0], COLLEAGUES[1]
NEEDS_QPDF = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf (Debian package)")


def send(ward, *args: str, **options) -> None:
    code, out, err = ward("send", "--to", BEN.staff_id, "--declare", "direct-care", "--json",
                          *args, **options)
    assert code == 0, err
    assert json.loads(out)["state"] == "sent"


def received(ward, folder: Path) -> list[np.ndarray]:
    """The images of the messages Ben has received and not opened yet (now opened)."""
    code, out, err = ward("inbox", "--json", person=BEN)
    assert code == 0, err
    images = []
    for item in json.loads(out):
        if item["opened_at"]:
            continue
        assert item["state"] == "verified", item
        saved = folder / f"{item['id']}.png"
        code, _, err = ward("open", item["id"], "-o", str(saved), person=BEN)
        assert code == 0, err
        with Image.open(saved) as image:
            images.append(np.asarray(image.convert("RGB")))
    return images


def received_pixels(ward, folder: Path) -> np.ndarray:
    """The image of the one message sent since ``received`` was last called."""
    images = received(ward, folder)
    assert len(images) == 1
    return images[0]


def outbox_size(ward) -> int:
    code, out, err = ward("outbox", "--json")
    assert code == 0, err
    return len(json.loads(out))


def test_send_of_an_ultrasound_gives_the_caution_export_gives(ward, tmp_path):
    source = tmp_path / "us.dcm"
    source.write_bytes(dicom_bytes(dicom_dataset(ramp(40, 60, 0, 255, np.uint8),
                                                 modality="US", BitsStored=8,
                                                 BitsAllocated=8, HighBit=7)))
    code, _, exported = ward("export", str(source), "-o", str(tmp_path / "us.png"))
    assert code == 0, exported
    caution = next(line for line in exported.splitlines() if line.startswith("Caution: "))
    assert "ultrasound images (US)" in caution
    code, _, said = ward("send", "--to", BEN.staff_id, str(source),
                         "--declare", "not-identifiable", "--confirm-not-identifiable")
    assert code == 0, said
    assert said.splitlines().count(caution) == 1  # the same words, on standard error, once


def test_a_letter_of_several_pages_is_refused_without_page_and_page_2_is_what_arrives(
        ward, tmp_path):
    source = tmp_path / "textletter.pdf"
    source.write_bytes(pdf_letter(3, scanned_page=None))
    before = outbox_size(ward)
    code, out, said = ward("send", "--to", BEN.staff_id, str(source), "--declare",
                           "direct-care")
    assert code == 2, out + said
    assert "textletter.pdf has 3 pages; choose one with --page (1 to 3)" in said
    assert "Nothing was sent" in said and "Traceback" not in said
    assert outbox_size(ward) == before  # nothing queued
    received(ward, tmp_path)  # what earlier tests sent
    send(ward, str(source), "--page", "2", "--dpi", "72")
    page_2 = np.asarray(load_picture(source, page=1, dpi=72).image.convert("RGB"))
    page_1 = np.asarray(load_picture(source, page=0, dpi=72).image.convert("RGB"))
    got = received_pixels(ward, tmp_path)
    assert got.shape == page_2.shape and (got == page_2).all()
    assert not (got == page_1).all()


def test_a_one_page_pdf_needs_no_page(ward, tmp_path):
    source = tmp_path / "note.pdf"
    source.write_bytes(pdf_letter(1, scanned_page=None))
    send(ward, str(source), "--dpi", "72")


def test_dicom_frame_window_and_overlays_options_reach_what_is_sent(ward, tmp_path):
    frames = np.stack([ramp(32, 48, 0, 4000) for _ in range(3)])
    frames[2] //= 4
    source = tmp_path / "IM0003"
    source.write_bytes(dicom_bytes(dicom_dataset(frames, frames=3, BitsStored=12)))
    received(ward, tmp_path)
    send(ward, str(source), "--frame", "3", "--window", "400,800",
                         "--no-overlays")
    wanted = load_picture(source, frame=2, window=(400, 800), overlays=False).image
    expected = np.asarray(wanted.convert("RGB"))
    got = received_pixels(ward, tmp_path)
    assert (got == expected).all()
    assert not (got == np.asarray(load_picture(source).image.convert("RGB"))).all()


@NEEDS_QPDF
def test_a_protected_pdf_opens_with_the_environment_or_a_piped_password(ward, tmp_path):
    source = encrypted_pdf(tmp_path / "protected.pdf", "Ward7-Secret", pages=1)
    code, _, said = ward("send", "--to", BEN.staff_id, str(source), "--declare",
                         "direct-care")
    assert code == 3 and "--password-stdin" in said and "MEDSNAP_PDF_PASSWORD" in said
    send(ward, str(source), "--dpi", "72", env={"MEDSNAP_PDF_PASSWORD": "Ward7-Secret"})
    received(ward, tmp_path)
    # both piped: the PDF's password is the first line, the passphrase the second
    send(ward, str(source), "--dpi", "72", "--password-stdin", "--passphrase-stdin",
         stdin=f"Ward7-Secret\n{ADA.passphrase}\n", env={"MEDSNAP_PASSPHRASE": ""})
    page = load_picture(source, dpi=72, password="Ward7-Secret").image.convert("RGB")
    assert (received_pixels(ward, tmp_path) == np.asarray(page)).all()


@NEEDS_QPDF
def test_a_protected_pdf_asks_for_its_password_on_a_terminal(tmp_path):
    import time

    from messaging_support import Terminal

    source = encrypted_pdf(tmp_path / "protected.pdf", "Ward7-Secret", pages=1)
    out = tmp_path / "page.png"
    env = {key: value for key, value in os.environ.items() if key != "MEDSNAP_PDF_PASSWORD"}
    deadline = time.monotonic() + 60
    with Terminal([sys.executable, "-m", "medsnap", "export", str(source), "-o", str(out),
                   "--dpi", "72"], env) as terminal:
        asked = terminal.read_until(b"Password to open protected.pdf: ", deadline)
        assert asked, terminal.seen
        terminal.write(b"Ward7-Secret\n")
        terminal.read_until(b"Wrote ", deadline)
    seen = terminal.seen
    assert out.exists(), seen
    assert b"Wrote " in seen and b"Ward7-Secret" not in seen  # not echoed


def test_send_help_names_records_and_their_options():
    done = subprocess.run([sys.executable, "-m", "medsnap", "send", "--help"],
                          capture_output=True, text=True, timeout=60)
    for option in ("PDF or DICOM", "--page", "--dpi", "--password-stdin", "--frame",
                   "--window", "--no-overlays"):
        assert option in " ".join(done.stdout.split()), option


def test_send_urgent_is_marked_in_the_inbox_and_the_note_kept_for_sent(ward, tmp_path):
    """`--urgent` travels signed as the window's Urgent does; `medsnap inbox` says URGENT, and
    the sender's window can show the note in its Sent list (sealed to the sender's key)."""
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.profile import Workstation
    from medsnap.messaging.sent_notes import with_notes
    from medsnap.messaging.session import sign_in

    received(ward, tmp_path)  # earlier tests' messages out of the way
    picture = tmp_path / "wound.png"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(picture)
    send(ward, str(picture), "--urgent", "--note", "bed 9 wound, worse?")
    send(ward, str(picture), "--note", "routine")
    code, out, err = ward("inbox", "--json", person=BEN)
    assert code == 0, err
    fresh = [item for item in json.loads(out) if not item["opened_at"]]
    assert sorted(item["urgent"] for item in fresh) == [False, True]
    code, out, err = ward("inbox", "--offline", person=BEN)
    assert code == 0, err
    assert sum("URGENT" in line for line in out.splitlines()) == 1

    home = Path(os.environ["MEDSNAP_HOME"])
    session = sign_in(Workstation(home), ADA.staff_id, ADA.passphrase)
    outbox = Outbox(session.profile.outbox_path)
    try:
        items = with_notes(outbox.items(), session.profile.outbox_path,
                           session.clinician.encryption_key)
    finally:
        outbox.close()
        session.close()
    notes = {item.sent_note.note: item.sent_note.urgent for item in items if item.sent_note}
    assert notes["bed 9 wound, worse?"] is True and notes["routine"] is False
