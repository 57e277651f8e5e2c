"""`medsnap inbox` and `medsnap open` as a new user met them (NU6): the README's
`open 1 -o received.png` was refused for a photo ("name the file 'recv1.jpg'") and the list did
not say which format a letter holds; `open` did not say URGENT, which the list did.

A real demo endpoint in this process; commands run through medsnap.cli.main."""

from __future__ import annotations

import json

from PIL import Image

from medsnap.messaging.demo import COLLEAGUES

ADA, BEN = COLLEAGUES[0], COLLEAGUES[1]


def _send_photo(ward, tmp_path, *extra: str) -> str:
    """Ada sends a camera-like JPEG (sent as JPEG: lossy already); Ben's inbox id of it."""
    photo = tmp_path / "wound.jpg"
    Image.effect_noise((64, 48), 40).convert("RGB").save(photo, quality=90)
    code, out, err = ward("inbox", "--json", person=BEN)
    before = {item["id"] for item in json.loads(out)}
    code, out, err = ward("send", "--to", BEN.staff_id, "--declare", "direct-care", "--json",
                          str(photo), *extra)
    assert code == 0, err
    code, out, err = ward("inbox", "--json", person=BEN)
    assert code == 0, err
    [new] = [item for item in json.loads(out) if item["id"] not in before]
    return new["id"]


def test_inbox_says_the_format_and_open_without_a_suffix_adds_the_right_one(ward, tmp_path):
    item_id = _send_photo(ward, tmp_path, "--urgent", "--note", "bed 4, worse?")
    code, out, err = ward("inbox", "--offline", person=BEN)
    assert code == 0, err
    [line] = [line for line in out.splitlines() if line.startswith(f"{item_id} ")]
    assert " JPEG " in line and "URGENT" in line, line

    code, out, err = ward("open", item_id, "-o", str(tmp_path / "received"), person=BEN)
    assert code == 0, err
    saved = tmp_path / "received.jpg"
    assert saved.read_bytes().startswith(b"\xff\xd8\xff")
    assert not (tmp_path / "received").exists()
    assert "Priority: URGENT" in out and f"(JPEG) to {saved}" in out, out


def test_open_into_a_folder_and_json_say_priority_and_format(ward, tmp_path):
    item_id = _send_photo(ward, tmp_path, "--note", "routine")
    folder = tmp_path / "saved"
    folder.mkdir()
    code, out, err = ward("open", item_id, "-o", f"{folder}/", "--json", person=BEN)
    assert code == 0, err
    facts = json.loads(out)
    assert facts["priority"] == "normal" and facts["format"] == "jpeg", facts
    assert facts["saved_to"] == str(folder / f"medsnap-message-{item_id}.jpg")
    assert (folder / f"medsnap-message-{item_id}.jpg").read_bytes().startswith(b"\xff\xd8")


def test_a_name_that_says_png_for_a_jpeg_is_still_refused_and_a_missing_folder_too(
        ward, tmp_path):
    item_id = _send_photo(ward, tmp_path)
    code, _, err = ward("open", item_id, "-o", str(tmp_path / "received.png"), person=BEN)
    assert code == 2 and "name the file 'received.jpg'" in err, err
    assert "leave the suffix off" in err
    code, _, err = ward("open", item_id, "-o", f"{tmp_path / 'nowhere'}/", person=BEN)
    assert code == 2 and "does not exist" in err, err
    existing = tmp_path / "kept.jpg"
    existing.write_bytes(b"keep me")  # the chosen suffix's name exists: not replaced
    code, _, err = ward("open", item_id, "-o", str(tmp_path / "kept"), person=BEN)
    assert code == 2 and "already exists" in err, err
    assert existing.read_bytes() == b"keep me"
    code, out, err = ward("inbox", "--json", person=BEN)
    assert next(i for i in json.loads(out) if i["id"] == item_id)["opened_at"] is None
