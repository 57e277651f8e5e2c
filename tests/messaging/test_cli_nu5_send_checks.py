"""What a new-user tester met with `medsnap send` and `medsnap open` on the demo (in this
process, commands through medsnap.cli.main): 'not identifiable' on a picture MedSnap flags
needs an explicit confirmation, a page that does not exist is a wrong argument (exit 2), and
a received image is saved only under a name that says what it is."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from medsnap.messaging.demo import COLLEAGUES
from tests.imaging.record_fixtures import dicom_bytes, dicom_dataset, pdf_letter, ramp

ADA, BEN = COLLEAGUES[0], COLLEAGUES[1]


def outbox_size(ward) -> int:
    code, out, err = ward("outbox", "--json")
    assert code == 0, err
    return len(json.loads(out))


def send(ward, source, *options: str):
    return ward("send", "--to", BEN.staff_id, str(source), "--json", *options)


@pytest.fixture
def ultrasound(tmp_path):
    source = tmp_path / "us.dcm"
    source.write_bytes(dicom_bytes(dicom_dataset(ramp(40, 60, 0, 255, np.uint8),
                                                 modality="US", BitsStored=8,
                                                 BitsAllocated=8, HighBit=7)))
    return source


@pytest.mark.parametrize("redact", [[], ["--redact", "0,0,60,8"]])
def test_not_identifiable_on_a_burned_in_dicom_needs_the_confirmation(ward, ultrasound,
                                                                      redact):
    before = outbox_size(ward)
    code, out, said = send(ward, ultrasound, "--declare", "not-identifiable", *redact)
    assert code == 2, out + said
    assert "Caution: This image may itself show who the patient is" in said
    assert "Nothing was sent" in said and "--confirm-not-identifiable" in said
    assert "--redact" in said and "direct-care" in said and "Traceback" not in said
    assert outbox_size(ward) == before  # nothing queued
    code, out, said = send(ward, ultrasound, "--declare", "not-identifiable", *redact,
                           "--confirm-not-identifiable")
    assert code == 0, said
    assert json.loads(out)["state"] == "sent"


def test_not_identifiable_on_a_letter_page_needs_the_confirmation(ward, tmp_path):
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf_letter(1, scanned_page=None))
    code, out, said = send(ward, source, "--dpi", "72", "--declare", "not-identifiable")
    assert code == 2 and "page of a letter" in said and "Nothing was sent" in said, out + said
    code, out, said = send(ward, source, "--dpi", "72", "--declare", "direct-care")
    assert code == 0, said  # another basis needs no confirmation


def test_a_plain_photo_declared_not_identifiable_needs_a_crop_a_redaction_or_the_flag(
        ward, tmp_path):
    """NU5: a screenshot with the name and NHS number in plain view went as not identifiable
    with nothing redacted: with nothing cropped or redacted the sender confirms."""
    source = tmp_path / "wound.png"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(source)
    code, out, said = send(ward, source, "--declare", "not-identifiable")
    assert code == 2 and "nothing on it is redacted or cropped" in said, said
    code, out, said = send(ward, source, "--declare", "not-identifiable", "--crop", "5,5,20,20")
    assert code == 0, said
    code, out, said = send(ward, source, "--declare", "not-identifiable",
                           "--confirm-not-identifiable")
    assert code == 0, said


def test_a_scanned_letter_as_a_multi_page_tiff_is_treated_as_a_letter(ward, tmp_path):
    """NU5: a 3-page scanned referral (TIFF) went page 1 unasked, as 'not identifiable', with
    no --page and no confirmation, where the same letter as a PDF is refused both ways."""
    source = tmp_path / "referral.tif"
    pages = [Image.new("L", (60, 40), shade) for shade in (40, 120, 200)]
    pages[0].save(source, save_all=True, append_images=pages[1:])
    before = outbox_size(ward)
    code, out, said = send(ward, source, "--declare", "direct-care")
    assert code == 2 and "has 3 pages" in said and "--page" in said, said
    code, out, said = send(ward, source, "--page", "2", "--redact", "0,0,60,10",
                           "--declare", "not-identifiable")
    assert code == 2 and "scanned document of 3 pages" in said, said
    assert outbox_size(ward) == before
    code, out, said = send(ward, source, "--page", "2", "--declare", "direct-care")
    assert code == 0, said


@pytest.mark.parametrize("command", ["send", "export"])
def test_a_page_that_does_not_exist_is_a_usage_error(ward, tmp_path, command):
    source = tmp_path / "two.pdf"
    source.write_bytes(pdf_letter(2, scanned_page=None))
    if command == "send":
        code, out, said = send(ward, source, "--page", "3", "--declare", "direct-care")
    else:
        code, out, said = ward("export", str(source), "--page", "3", "-o",
                               str(tmp_path / "p3.png"))
    assert code == 2, out + said
    assert "page 3 does not exist" in said and "Traceback" not in said


def test_a_frame_that_does_not_exist_is_a_usage_error(ward, tmp_path):
    source = tmp_path / "IM1"
    source.write_bytes(dicom_bytes(dicom_dataset(ramp(16, 16, 0, 4000))))
    code, out, said = ward("export", str(source), "--frame", "2", "-o", str(tmp_path / "f.png"))
    assert code == 2 and "frame 2 does not exist" in said, out + said


def test_open_saves_only_under_a_name_that_says_png_or_jpeg(ward, tmp_path):
    source = tmp_path / "rash.png"
    Image.new("RGB", (24, 16), (10, 120, 40)).save(source)
    code, out, said = send(ward, source, "--declare", "direct-care")
    assert code == 0, said
    code, out, said = ward("inbox", "--json", person=BEN)
    assert code == 0, said
    item = next(i for i in json.loads(out) if not i["opened_at"])["id"]
    target = tmp_path / "recv.txt"
    code, out, said = ward("open", item, "-o", str(target), person=BEN)
    assert code == 2, out + said
    assert repr(target.with_suffix(".png").name) in said and not target.exists()
    # no suffix at all: MedSnap adds the right one (session 6)
    code, out, said = ward("open", item, "-o", str(tmp_path / "noext"), person=BEN)
    assert code == 0, said
    assert not (tmp_path / "noext").exists()
    assert (tmp_path / "noext.png").read_bytes().startswith(b"\x89PNG")
    code, out, said = ward("open", item, "-o", str(tmp_path / "recv.PNG"), person=BEN)
    assert code == 0, said
    assert (tmp_path / "recv.PNG").read_bytes().startswith(b"\x89PNG")
