"""Helpers for the warm runner tests: a workstation with signed-in clinicians, real commands,
and looking at the processes (who is whose child, where it works)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from file_keyring import FILE_ENV, FileKeyring
from messaging_support import PASSPHRASE, add_clinician, clean_png

from medsnap.crypto.keystore import KeyStore
from medsnap.messaging import agent_socket, warm_wire
from medsnap.messaging.profile import Workstation
from medsnap.messaging.session import enrol

HERE = Path(__file__).resolve().parent
MEDSNAP = str(Path(sys.executable).parent / "medsnap")


def make_ward(endpoint, root: Path, names: tuple[str, ...]) -> dict:
    """A workstation folder with ``names`` enrolled, a short private runtime folder, and the
    environment of its commands (file keyring, no passphrase)."""
    runtime = Path(tempfile.mkdtemp(prefix="ms-warm-"))  # short: socket paths are limited
    os.chmod(runtime, 0o700)
    keyring_file = root / "keyring.json"
    desk = Workstation(root / "home")
    keystore = KeyStore(keyring_backend=FileKeyring(keyring_file))
    ward: dict = {"desk": desk, "runtime": runtime, "root": root}
    for name in names:
        staff_id, code = add_clinician(endpoint, f"{name} Warm")
        enrol(desk, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=keystore).close()
        ward[name] = staff_id
    env = {**os.environ, "MEDSNAP_HOME": str(desk.home), "XDG_RUNTIME_DIR": str(runtime),
           "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring", FILE_ENV: str(keyring_file),
           "PYTHONPATH": os.pathsep.join([snapshot_code(root), str(HERE), str(HERE.parent)])}
    for name in ("MEDSNAP_PASSPHRASE", warm_wire.OFF_ENV, "MEDSNAP_STAFF_ID"):
        env.pop(name, None)
    ward["env"] = env
    (root / "work").mkdir()
    (root / "work" / "scan.png").write_bytes(clean_png(11, (160, 120)))
    return ward


def snapshot_code(root: Path) -> str:
    """A copy of the medsnap packages for the commands and their runner: a runner stops when
    its files change, which an edit in a shared working copy would do in the middle of a
    test."""
    import medsnap
    import medsnap_endpoint

    folder = root / "code"
    for package in (medsnap, medsnap_endpoint):
        source = Path(package.__file__).parent
        shutil.copytree(source, folder / source.name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return str(folder)


def close_ward(ward: dict) -> None:
    medsnap(ward, "lock", "--all")
    wait_until(lambda: not Path(runner_socket(ward)).exists(), 5)
    shutil.rmtree(ward["runtime"], ignore_errors=True)


def medsnap(ward: dict, *args: str, env: dict | None = None, stdin: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([MEDSNAP, *args], env={**ward["env"], **(env or {})}, text=True,
                          capture_output=True, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          cwd=cwd or ward["root"] / "work", timeout=120)


def start(ward: dict, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([MEDSNAP, *args], env={**ward["env"], **(env or {})}, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ward["root"] / "work")


def cold(ward: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return medsnap(ward, *args, env={warm_wire.OFF_ENV: "off", **kwargs.pop("env", {})},
                   **kwargs)


def signin(ward: dict, staff_id: str, *extra: str) -> None:
    done = medsnap(ward, "signin", staff_id, *extra, env={"MEDSNAP_PASSPHRASE": PASSPHRASE})
    assert done.returncode == 0 and "key agent" in done.stdout, done.stdout + done.stderr


def _with_runtime(ward: dict, compute):
    previous = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(ward["runtime"])
    try:
        return compute()
    finally:
        if previous is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = previous


def runner_socket(ward: dict) -> str:
    return _with_runtime(ward, lambda: warm_wire.runner_socket_path(str(ward["desk"].home)))


def agent_socket_of(ward: dict, staff_id: str) -> Path:
    return _with_runtime(ward, lambda: agent_socket.agent_socket_path(ward["desk"].home,
                                                                      staff_id))


def pid_behind(path) -> int:
    """The pid of the process listening on a Unix socket (SO_PEERCRED)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
        return struct.unpack("3i", raw)[0]
    finally:
        connection.close()


def runner_pid(ward: dict, within: float = 20.0) -> int:
    """The warm runner's pid, once it serves (it imports in the background after signin)."""
    deadline = time.monotonic() + within
    while True:
        try:
            pid = pid_behind(runner_socket(ward))
            if ask(ward, "ping") is not None:  # answers (this test's code is not a command's)
                return pid
        except OSError:
            pass
        assert time.monotonic() < deadline, "no warm runner"
        time.sleep(0.05)


def ask(ward: dict, op: str) -> dict | None:
    from medsnap.messaging.warm_control import ask_runner

    return _with_runtime(ward, lambda: ask_runner(ward["desk"].home, op, timeout=20))


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def working_folder(pid: int) -> str:
    return os.readlink(f"/proc/{pid}/cwd")


def wait_until(condition, within: float) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Paused:
    """A process stopped (SIGSTOP) for the ``with``: a command that reaches it waits there."""

    def __init__(self, pid: int):
        self.pid = pid

    def __enter__(self) -> Paused:
        os.kill(self.pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc: object) -> None:
        os.kill(self.pid, signal.SIGCONT)
