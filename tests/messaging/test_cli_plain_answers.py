"""What the command line answers a newcomer's mistakes with: plain words, the right exit code,
nothing done that was not asked for. Runs the real command in-process (medsnap.cli.main)."""

from __future__ import annotations

import pytest

from medsnap.cli import main
from medsnap.cli.send import DECLARATIONS


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MEDSNAP_PASSPHRASE", raising=False)
    return tmp_path


def test_send_without_declare_refuses_and_lists_the_four_choices(empty_home, capsys, png_bytes):
    picture = empty_home / "picture.png"
    picture.write_bytes(png_bytes(5))
    code = main(["send", "--to", "someone", str(picture)])
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing was sent" in err.lower()
    for choice in DECLARATIONS:
        assert f"--declare {choice}" in err
    assert not (empty_home / "home").exists() or not any((empty_home / "home").rglob("*.db"))


def test_a_mistyped_command_or_missing_file_is_named_without_starting_qt(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    medsnap = str(Path(sys.executable).parent / "medsnap")
    env = {k: v for k, v in os.environ.items()  # no display: Qt would abort, not explain
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    for word, hint in (("inboxx", "Did you mean 'medsnap inbox'?"),
                       (str(tmp_path / "missing.png"), "")):
        done = subprocess.run([medsnap, word], env=env, capture_output=True, text=True,
                              timeout=60, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert f"medsnap: unknown command or file {word!r}" in done.stderr
        assert hint in done.stderr and "xcb" not in done.stderr
