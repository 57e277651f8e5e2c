"""`max_megapixels` in the policy file is the limit of the command line too (it used to quote
the built-in 100 megapixels), and a picture refused by it is refused in words that name the
hospital's policy and what to do, not as a file that may be hostile.

The policy limit is small (1 megapixel) so that the pictures stay small; the rule is the same
as 50 against a 63-megapixel photograph."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from medsnap.cli import main
from tests.policy_obeyed_support import photo_jpeg, write_policy

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def policy_1mp(tmp_path, monkeypatch):
    path = write_policy(tmp_path, "max_megapixels = 1\n")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(path))
    return path


def _says_policy(err: str, policy) -> None:
    assert "1.5 megapixels" in err and "1.0 megapixels" in err, err
    assert str(policy) in err and "IT" in err and "downsize" in err, err
    assert "exhaust memory" not in err and "damaged" not in err, err
    assert "100 megapixels" not in err, err


@pytest.mark.parametrize("extra", [[], ["--redact", "0,0,10,10"]], ids=["plain", "painted"])
def test_export_refuses_a_picture_over_the_policy_limit(tmp_path, policy_1mp, capsys, extra):
    source, out = photo_jpeg(tmp_path / "photo.jpg", (1500, 1000)), tmp_path / "p.jpg"
    assert main(["export", str(source), "-o", str(out), *extra]) == 3
    _says_policy(capsys.readouterr().err, policy_1mp)
    assert not out.exists()


def test_a_picture_within_the_policy_limit_exports(tmp_path, policy_1mp):
    source, out = photo_jpeg(tmp_path / "photo.jpg", (1000, 1000)), tmp_path / "p.jpg"
    assert main(["export", str(source), "-o", str(out)]) == 0
    with Image.open(out) as image:
        assert image.size == (1000, 1000)


def test_send_refuses_a_picture_over_the_policy_limit(tmp_path, policy_1mp, monkeypatch, capsys):
    from medsnap.messaging.demo import COLLEAGUES, start_demo

    home = tmp_path / "home"
    demo = start_demo(home, port=0, reuse=False)
    try:
        monkeypatch.setenv("MEDSNAP_HOME", str(home))
        monkeypatch.setenv("MEDSNAP_PASSPHRASE", COLLEAGUES[0].passphrase)
        source = photo_jpeg(tmp_path / "photo.jpg", (1500, 1000))
        code = main(["send", "--as", COLLEAGUES[0].staff_id, str(source), "--to",
                     COLLEAGUES[1].staff_id, "--declare", "direct-care", "--json"])
        _, err = capsys.readouterr()
        assert code == 3, err
        _says_policy(err, policy_1mp)
        assert main(["outbox", "--as", COLLEAGUES[0].staff_id, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == []  # nothing queued
    finally:
        demo.stop()


def test_the_built_in_limit_still_suspects_the_file(tmp_path):
    """Without a policy the limit still guards memory against damaged or hostile files, as
    before, worded for the common case: a real photo taken at a phone's highest resolution."""
    from medsnap.errors import ImageError
    from medsnap.imaging import load_picture

    source = photo_jpeg(tmp_path / "photo.jpg", (1500, 1000))
    with pytest.raises(ImageError, match="exhaust this computer's memory"):
        load_picture(source, max_pixels=1_000_000)
