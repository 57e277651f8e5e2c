"""`jpeg_quality` in the policy file is obeyed wherever a JPEG is made for sending or saving:
`medsnap export` (no --quality), "Preview as sent" and the window's Send (sent_bytes),
`medsnap send`. An explicit --quality that differs from a policy value is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from medsnap.cli import main
from tests.policy_obeyed_support import jpeg_quality_of, photo_jpeg, write_policy

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def policy_60(tmp_path, monkeypatch):
    path = write_policy(tmp_path, "jpeg_quality = 60\n")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(path))
    return path


def test_export_without_quality_takes_the_policy_value(tmp_path, policy_60):
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.jpg"
    assert main(["export", str(source), "-o", str(out)]) == 0
    assert jpeg_quality_of(out.read_bytes()) == 60


def test_export_default_is_90_without_a_policy(tmp_path):
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.jpg"
    assert main(["export", str(source), "-o", str(out)]) == 0
    assert jpeg_quality_of(out.read_bytes()) == 90
    assert main(["export", str(source), "-o", str(tmp_path / "q.jpg"), "--quality", "70"]) == 0
    assert jpeg_quality_of((tmp_path / "q.jpg").read_bytes()) == 70


def test_a_quality_other_than_the_policy_is_refused_and_nothing_written(tmp_path, policy_60,
                                                                         capsys):
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.jpg"
    assert main(["export", str(source), "-o", str(out), "--quality", "80"]) == 2
    err = capsys.readouterr().err
    assert "set to 60" in err and str(policy_60) in err and "Nothing was written" in err
    assert not out.exists()
    assert main(["export", str(source), "-o", str(out), "--quality", "60"]) == 0  # agrees
    assert jpeg_quality_of(out.read_bytes()) == 60


def test_a_real_export_process_obeys_the_policy(tmp_path, policy_60):
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.jpg"
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "medsnap", "export", str(source),
                             "-o", str(out), "--crop", "0,0,200,100"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert jpeg_quality_of(out.read_bytes()) == 60


def test_what_the_window_sends_and_previews_takes_the_policy_value(tmp_path, policy_60):
    from medsnap.document import Document
    from medsnap.imaging import load_picture
    from medsnap.ui.sent_preview import sent_bytes

    picture = load_picture(photo_jpeg(tmp_path / "photo.jpg"))
    assert jpeg_quality_of(sent_bytes(Document(picture))) == 60


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    from medsnap.messaging.demo import start_demo

    home = tmp_path_factory.mktemp("policy-quality") / "home"
    demo = start_demo(home, port=0, reuse=False)
    yield home
    demo.stop()


@pytest.mark.parametrize("extra", [[], ["--redact", "10,10,40,40"]], ids=["plain", "painted"])
def test_medsnap_send_seals_a_jpeg_at_the_policy_quality(tmp_path, demo_home, policy_60,
                                                          monkeypatch, capsys, extra):
    from medsnap.messaging.demo import COLLEAGUES

    ada, ben = COLLEAGUES[0], COLLEAGUES[1]
    monkeypatch.setenv("MEDSNAP_HOME", str(demo_home))
    source = photo_jpeg(tmp_path / "photo.jpg")
    monkeypatch.setenv("MEDSNAP_PASSPHRASE", ada.passphrase)
    assert main(["send", "--as", ada.staff_id, str(source), "--to", ben.staff_id,
                 "--declare", "direct-care", "--json", *extra]) == 0
    capsys.readouterr()
    monkeypatch.setenv("MEDSNAP_PASSPHRASE", ben.passphrase)
    assert main(["inbox", "--as", ben.staff_id, "--json"]) == 0
    unopened = [item for item in json.loads(capsys.readouterr().out) if not item["opened_at"]]
    assert len(unopened) == 1, unopened
    saved = tmp_path / "received.jpg"
    assert main(["open", "--as", ben.staff_id, unopened[0]["id"], "-o", str(saved)]) == 0, \
        capsys.readouterr().err
    assert jpeg_quality_of(saved.read_bytes()) == 60
