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
