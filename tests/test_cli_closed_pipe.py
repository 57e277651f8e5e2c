"""A reader that stops early (`| head -1`) ends a listing quietly, but where the output is the
product itself - a new key from `medsnap keygen` - the command must not claim success: the
key went nowhere. Real `medsnap` processes writing into a pipe whose reader is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MEDSNAP = str(Path(sys.executable).parent / "medsnap")


def into_a_closed_pipe(tmp_path, *args: str, buffered: bool) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as after `| head -1`
    env = {**os.environ, "MEDSNAP_HOME": str(tmp_path / "home"),
           "PYTHONUNBUFFERED": "" if buffered else "1"}
    try:
        return subprocess.run([MEDSNAP, *args], env=env, stdin=subprocess.DEVNULL,
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
def test_a_new_key_into_a_closed_pipe_is_a_failure_that_says_so(tmp_path, buffered):
    done = into_a_closed_pipe(tmp_path, "keygen", buffered=buffered)
    assert done.returncode == 5, done.stderr
    assert done.stderr.startswith("medsnap keygen: ") and "not kept" in done.stderr
    assert "Traceback" not in done.stderr and "Public key" not in done.stderr


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
def test_the_commands_list_into_a_closed_pipe_ends_quietly(tmp_path, buffered):
    done = into_a_closed_pipe(tmp_path, "--help", buffered=buffered)
    assert done.returncode == 0 and done.stderr == "", done.stderr
