"""Start and stop the warm runner (see ``warm_runner``): ``medsnap signin`` and ``medsnap lock``.

``launch_runner(home)`` starts a runner for the workstation folder unless one with the same
code already serves it (then it is told a key agent is coming); it returns the launcher
process to ``release`` once signin is done - the launcher exits at once, the runner imports
in the background, so signin does not wait for it. It is called before the keys are
unlocked: the runner is a fresh interpreter that never held a key.
``stop_runner_unless_needed(home)`` stops it when no clinician of that folder is signed in.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from medsnap.messaging import warm_wire as wire

STOP_WAIT_SECONDS = 2.0


def ask_runner(home: Path, op: str, timeout: float = 2.0) -> dict | None:
    """The runner's answer to ``op`` (ping, expect, stop); None when none answers."""
    path = wire.runner_socket_path(str(home))
    if not os.path.exists(path):
        return None
    return _exchange(path, {"op": op, "version": wire.PROTOCOL_VERSION,
                            "identity": wire.interpreter_identity()}, timeout)


def _exchange(path: str, message: dict, timeout: float = 2.0, *,
              earlier_wire: bool = False) -> dict | None:
    """One frame to the runner at ``path`` and its answer; None when none answers.
    ``earlier_wire``: in JSON, as runners before protocol 3 read it, and only to a process of
    this user (it goes where this code's runner cannot be asked)."""
    from medsnap.messaging import local_socket

    send, receive = ((local_socket.send_frame, local_socket.receive_frame) if earlier_wire
                     else (wire.send_frame, wire.receive_frame))
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(timeout)
    try:
        connection.connect(path)
        if earlier_wire and not wire.peer_is_me(connection):
            return None
        send(connection, message)
        answer, _ = receive(connection)
        return answer
    except (OSError, ValueError):
        return None
    finally:
        connection.close()


def launch_runner(home: Path) -> subprocess.Popen | None:
    """Start a runner for ``home``, unless one with this code runs (or it is turned off)."""
    if not wire.SUPPORTED or wire.turned_off():
        return None
    answer = ask_runner(home, "expect")
    if answer is not None and answer.get("ok"):
        return None
    if answer is not None or os.path.exists(wire.runner_socket_path(str(home))):
        _stop_and_wait(home)  # another code or interpreter (or an older wire): replace it
    env = {k: v for k, v in os.environ.items() if k != "MEDSNAP_PASSPHRASE"}
    try:
        return subprocess.Popen(
            [sys.executable, *subprocess._args_from_interpreter_flags(),  # same flags
             "-m", "medsnap.messaging.warm_runner", str(Path(home).resolve())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/", env=env, start_new_session=True, close_fds=True)
    except OSError:
        return None  # commands start cold, as without a runner


def release(launcher: subprocess.Popen | None) -> None:
    """Reap the launcher (it forked the runner and exited right away)."""
    if launcher is not None:
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
            launcher.wait()


def stop_runner(home: Path) -> bool:
    """Stop the runner of ``home`` (it finishes the commands running); False if none ran."""
    return _stop_and_wait(home)


def stop_runner_unless_needed(home: Path) -> bool:
    """Stop the runner when no clinician of ``home`` is signed in any more."""
    from medsnap.messaging.agent_socket import agent_socket_path

    folder = Path(home) / "profiles"
    staff_ids = [p.name for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    if any(agent_answers(agent_socket_path(home, staff_id)) for staff_id in staff_ids):
        return False
    return stop_runner(home)


def agent_answers(path: Path) -> bool:
    """A key agent listens at ``path`` (a killed one leaves its socket file behind)."""
    from medsnap.messaging.agent_socket import is_answering

    return path.exists() and is_answering(path, timeout=0.5)


def _stop_and_wait(home: Path) -> bool:
    path = wire.runner_socket_path(str(home))
    if not os.path.exists(path):
        return False
    answer = ask_runner(home, "stop")
    if answer is None and not _stop_older_runner(path):
        _remove_stale(path)
        return False
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def _stop_older_runner(path: str) -> bool:
    """Ask a runner of an earlier MedSnap to stop in its own wire (JSON frames, protocol 1-2:
    it stops on "stop" whatever the version); otherwise it would keep the socket and every
    command would run cold until the next lock. True when it answered."""
    return _exchange(path, {"op": "stop"}, earlier_wire=True) is not None


def _remove_stale(path: str) -> None:
    try:
        if os.stat(os.path.dirname(path)).st_uid == os.getuid():
            os.unlink(path)
    except OSError:
        pass
