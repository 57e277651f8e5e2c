"""After an upgrade, signin replaces a warm runner of the earlier wire (JSON frames, protocol
2): it cannot read the new frames and closed them unanswered, so signin took it for none,
its own runner could not bind, and every command ran cold while the old code stayed up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from medsnap.messaging import warm_control, warm_wire

# A runner of protocol 2 as it behaves on the wire: a JSON frame after its 4-byte length;
# a frame that is not JSON is closed unanswered; "stop" is answered, whatever the version,
# and ends it (its socket removed).
EARLIER_RUNNER = r"""
import json, os, socket, struct, sys
path = sys.argv[1]
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(4)
print("listening", flush=True)
while True:
    connection, _ = server.accept()
    header = connection.recv(4)
    body = b""
    if len(header) == 4:
        (length,) = struct.unpack(">I", header)
        while len(body) < length:
            chunk = connection.recv(length - len(body))
            if not chunk:
                break
            body += chunk
    try:
        request = json.loads(body)
    except ValueError:
        connection.close()
        continue
    answer = json.dumps({"ok": True, "pid": os.getpid()}).encode()
    connection.sendall(struct.pack(">I", len(answer)) + answer)
    connection.close()
    if request.get("op") == "stop":
        os.unlink(path)
        break
"""


@pytest.mark.skipif(not warm_wire.SUPPORTED, reason="the warm runner is for Unix")
def test_signin_replaces_a_runner_of_the_earlier_wire(tmp_path, monkeypatch):
    runtime = Path(tempfile.mkdtemp(prefix="wu-"))  # short: socket paths are limited
    os.chmod(runtime, 0o700)
    (runtime / "medsnap").mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv(warm_wire.OFF_ENV, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    path = warm_wire.runner_socket_path(str(home))
    earlier = subprocess.Popen([sys.executable, "-c", EARLIER_RUNNER, path],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert earlier.stdout.readline().strip() == "listening"
        assert warm_control.ask_runner(home, "ping") is None  # it cannot read this wire
        launcher = warm_control.launch_runner(home)
        assert earlier.wait(timeout=10) == 0  # asked to stop in its own wire, and it did
        assert launcher is not None
        warm_control.release(launcher)
        deadline = time.monotonic() + 30
        answer = None
        while answer is None and time.monotonic() < deadline:
            answer = warm_control.ask_runner(home, "ping")  # this code's runner, importing
            time.sleep(0.1)
        assert answer is not None and answer.get("why") != "version"
    finally:
        if earlier.poll() is None:
            earlier.kill()
        warm_control.stop_runner(home)
    assert not os.path.exists(path)
    shutil.rmtree(runtime, ignore_errors=True)
