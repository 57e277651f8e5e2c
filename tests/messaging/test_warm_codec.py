"""The warm runner's frame contents: what a command sends round-trips exactly; a damaged frame
is a ValueError; the command's fast path imports none of the slow modules it avoids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from medsnap.messaging import warm_codec

DESKTOP = Path(warm_codec.__file__).resolve().parents[2]

REQUEST = {
    "op": "run", "version": 3, "umask": 0o077, "ready": True, "cold": False, "none": None,
    "argv": ["send", "--to", "Dr Ana Núñez", "scan 1.png", "--note", "Fx? 🦴\nsee L wrist"],
    "env": {"HOME": "/home/ward", "ODD": "caf\udce9"},  # an undecodable byte, as os.environ has
    "identity": {"flags": [0, 1, -1], "env": [["PYTHONPATH", "/x"]], "version": "3.11"},
    "big": 2 ** 70, "negative": -12, "empty": "", "nothing": [], "no_keys": {},
}


def test_a_request_round_trips_exactly():
    assert warm_codec.decode(warm_codec.encode(REQUEST)) == REQUEST


def test_tuples_travel_as_lists():
    assert warm_codec.decode(warm_codec.encode({"flags": (1, 2)})) == {"flags": [1, 2]}


@pytest.mark.parametrize("value", [b"bytes", 1.5, {1: "a"}, object()])
def test_what_it_cannot_carry_is_refused_when_sent(value):
    with pytest.raises((TypeError, ValueError)):
        warm_codec.encode({"x": value})


def test_every_cut_short_frame_is_a_value_error():
    data = warm_codec.encode(REQUEST)
    for end in range(len(data)):
        with pytest.raises(ValueError):
            warm_codec.decode(data[:end])


@pytest.mark.parametrize("data", [
    b"X", b"I\x00\x00\x00\x02ab", b"I\x00\x00\x00\x00", b"S\x00\x00\x00\x05ab",
    b"L\xff\xff\xff\xff", b"D\x00\x00\x00\x01N\x4e", b"NN", b"S\x00\x00\x00\x01\xff",
    b"L\x00\x00\x00\x01" * 20 + b"N",  # deeper than any frame
])
def test_damaged_frames_are_value_errors(data):
    with pytest.raises(ValueError):
        warm_codec.decode(data)


def test_the_fast_path_imports_nothing_slow(tmp_path):
    """`medsnap send` decides whether the warm runner takes it in its first milliseconds:
    json, socket, argparse, re or enum there would cost 2-7 ms each."""
    # -S: without site-packages, whose editable-install finder imports re and pathlib itself
    probe = (f"import sys; sys.path.insert(0, {str(DESKTOP)!r}); "
             "import medsnap.cli, medsnap.messaging.warm_client as c; "
             "c.run_warm(['outbox']); "
             "print(' '.join(m for m in ('json', 'socket', 'argparse', 're', 'enum', 'typing',"
             " 'signal', 'pathlib') if m in sys.modules))")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path), "MEDSNAP_HOME": str(tmp_path)}
    env.pop("MEDSNAP_WARM_RUNNER", None)
    env.pop("MEDSNAP_PASSPHRASE", None)
    result = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True,
                            env=env, cwd=tmp_path, check=True)
    assert result.stdout.strip() == ""
