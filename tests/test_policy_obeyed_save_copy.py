"""`allow_save_copy = false` in the policy file: `medsnap export` writes nothing and says what
is turned off, by whom, and that nothing was written (as `medsnap open -o` and the window)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from medsnap.cli import main
from tests.policy_obeyed_support import photo_jpeg, write_policy

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def no_copies(tmp_path, monkeypatch):
    path = write_policy(tmp_path, "allow_save_copy = false\n")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(path))
    return path


def test_export_is_refused_and_writes_nothing(tmp_path, no_copies, capsys):
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.jpg"
    before = sorted(os.listdir(tmp_path))
    assert main(["export", str(source), "-o", str(out)]) == 5
    err = capsys.readouterr().err
    assert "turned off" in err and str(no_copies) in err and "Nothing was written" in err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == before  # no copy, no temporary file


def test_a_real_export_process_is_refused(tmp_path, no_copies):
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.png"
    result = subprocess.run([sys.executable, "-m", "medsnap", "export", str(source),
                             "-o", str(out), "--redact", "0,0,10,10"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 5, result.stderr
    assert "allow_save_copy" in result.stderr and "policy file" in result.stderr
    assert not out.exists()


def test_export_is_allowed_when_the_policy_allows_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDSNAP_POLICY_FILE",
                       str(write_policy(tmp_path, "allow_save_copy = true\n")))
    source, out = photo_jpeg(tmp_path / "photo.jpg"), tmp_path / "p.jpg"
    assert main(["export", str(source), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xff\xd8")
