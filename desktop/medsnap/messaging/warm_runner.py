"""The warm runner: a keyless process with MedSnap's code loaded that runs commands in forks.

A command started from a shell spends ~0.1-0.15 s starting Python and importing what it needs
(cryptography's x509, Pillow, http.client, the letter code) before it does any work. While a
clinician is signed in, ``medsnap signin`` also starts this runner (``warm_control``): it
imports what ``send``, ``inbox``, ``outbox``, ``sync`` and ``open`` use, then waits on a Unix
socket beside the key agent's. The ``medsnap`` command (``warm_client``) hands its arguments,
working folder, environment, umask and standard input/output/error (as descriptors) to the
runner, which forks a child to run ``medsnap.cli.main`` exactly as the command would have
(``warm_child``) and returns the child's exit code or signal. Signals the command receives
(Ctrl+C, SIGTERM, SIGHUP, SIGQUIT) are passed on to the child; a command that goes away
(killed) takes its child with it (SIGKILL), as if the command itself had been killed.

Security, as for the key agent, and no more reach than a command started by the same user:

* the runner holds no keys and never did: it is started from a fresh interpreter before the
  keys are unlocked, and its children reach the key agent exactly as a cold command does
  (the agent's own checks: same user, same profile, signs only MedSnap's requests and
  letters);
* at each fork it holds no open file, database or thread besides its own sockets, which the
  child closes first (checked after the imports: otherwise the runner does not serve);
* like the agent, it is not dumpable (Linux: no ptrace, /proc/PID/mem or core dump), nor are
  its children - a command's environment passes through it;
* its socket is in the agent's private folder (0700, checked) and is 0600; the runner serves
  only peers of its own uid (SO_PEERCRED) and refuses to run other code: a command whose
  interpreter, flags, import path, medsnap package or start-up environment differ is run
  cold, and a runner whose loaded MedSnap files changed on disk (an upgrade) stops;
* it lives while some clinician of its workstation folder is signed in: when the last key
  agent locks (idle time, ``medsnap lock``, signal) it stops serving, waits for the commands
  running, removes its socket and exits; SIGTERM/SIGHUP/SIGINT end it the same way.

    python -m medsnap.messaging.warm_runner HOME     (started by warm_control.launch_runner)
"""

from __future__ import annotations

import os
import selectors
import signal
import sys
import time
from pathlib import Path

from medsnap.messaging import warm_preload
from medsnap.messaging import warm_wire as wire

AGENT_CHECK_SECONDS = 0.5
FIRST_AGENT_GRACE = 60.0  # signin starts the runner before its agent, and may be slow
REQUEST_SECONDS = 5.0


class Runner:
    def __init__(self, home: Path, identity: dict, listener, path: Path):
        self.home, self.identity = home, identity
        self.listener, self.path = listener, path
        self.inode = os.stat(path).st_ino
        self.loaded: dict[str, tuple[int, int]] = {}  # set once the imports are done
        self.selector = selectors.DefaultSelector()
        self.jobs: dict[int, object] = {}  # child pid -> the command's connection
        self.grace_until = time.monotonic() + FIRST_AGENT_GRACE
        self.stopping = ""
        self.closed = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    # lifetime -------------------------------------------------------------------------------
    def serve(self) -> str:
        signal.set_wakeup_fd(self._wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes select through the pipe
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, self._on_stop_signal)
        self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        self.selector.register(self._wake_read, selectors.EVENT_READ, self._drain_wakeups)
        next_check = 0.0
        while not (self.closed and not self.jobs):
            for key, _events in self.selector.select(AGENT_CHECK_SECONDS):
                key.data(key.fileobj)
            self._reap()
            if self.stopping and not self.closed:
                self.close()
            if not self.closed and time.monotonic() >= next_check:
                next_check = time.monotonic() + AGENT_CHECK_SECONDS
                if not self._still_ours() or not self._needed():
                    self.stopping = self.stopping or "locked"
                    self.close()
        return self.stopping

    def _on_stop_signal(self, *_args) -> None:
        self.stopping = "signal"

    def close(self) -> None:
        """Serve no new command; the running ones finish and report."""
        if self.closed:
            return
        self.closed = True
        self.selector.unregister(self.listener)
        if self._still_ours():
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
        self.listener.close()

    def _still_ours(self) -> bool:
        try:
            return os.stat(self.path).st_ino == self.inode
        except OSError:
            return False

    def _needed(self) -> bool:
        """Some clinician of this workstation folder is signed in (their agent answers at its
        socket: a killed agent leaves the file), or signin is still starting the first agent."""
        from medsnap.messaging.agent_socket import agent_socket_path
        from medsnap.messaging.warm_control import agent_answers

        folder = self.home / "profiles"
        try:
            staff_ids = [entry.name for entry in os.scandir(folder) if entry.is_dir()]
        except OSError:
            staff_ids = []
        for staff_id in staff_ids:
            if agent_answers(agent_socket_path(self.home, staff_id)):
                self.grace_until = 0.0
                return True
        return time.monotonic() < self.grace_until

    # commands -------------------------------------------------------------------------------
    def _accept(self, listener) -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            connection.settimeout(REQUEST_SECONDS)
            request, fds = wire.receive_frame(connection, max_fds=3)
            answer = self._refusal(connection, request, fds)
            if answer is None and request.get("op") == "run":
                # forked only on the command's "go": one that gave up waiting (and runs the
                # command itself) never sends it, so the command cannot run twice
                wire.send_frame(connection, {"ready": True})
                go, _ = wire.receive_frame(connection)
                if go and go.get("op") == "go":
                    self._start(connection, request, fds)
                    return
                answer = {"ok": False, "why": "no-go"}  # the command stopped waiting
            wire.send_frame(connection, answer or {"ok": True, "pid": os.getpid()})
        except (OSError, ValueError, TypeError):
            pass
        finally:
            for fd in fds:  # the child has its own copies; the runner keeps none
                os.close(fd)
        connection.close()

    def _refusal(self, connection, request: dict | None, fds: list[int]) -> dict | None:
        """Why this request is not served (an answer to send), or None to serve it."""
        from medsnap.cli import WARM_COMMANDS

        uid = wire.peer_uid(connection)
        if uid is not None and uid != os.getuid():
            return {"ok": False, "why": "wrong-user"}
        if request and request.get("op") == "stop":  # whatever its code: the user's wish
            self.stopping = "command"
            return None
        if not self.fresh():  # first: any request stops a runner whose files changed
            self.stopping = "upgraded"
            return {"ok": False, "why": "upgraded"}
        if not request or request.get("version") != wire.PROTOCOL_VERSION:
            return {"ok": False, "why": "version"}
        if request.get("identity") != self.identity:
            return {"ok": False, "why": "other-code"}
        op = request.get("op")
        if op == "expect":  # signin: an agent is on its way
            self.grace_until = time.monotonic() + FIRST_AGENT_GRACE
        elif op == "run":
            argv = request.get("argv")
            if (len(fds) != 3 or not isinstance(argv, list) or not argv
                    or argv[0] not in WARM_COMMANDS or self.closed):
                return {"ok": False, "why": "not-served"}
        elif op != "ping":
            return {"ok": False, "why": "unknown"}
        return None

    def fresh(self) -> bool:
        """The MedSnap files this runner loaded are still those on disk."""
        return warm_preload.loaded_files(list(self.loaded)) == self.loaded

    def _start(self, connection, request: dict, fds: list[int]) -> None:
        runner_pid = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            from medsnap.messaging.warm_child import run_child

            run_child(request, fds, connection, runner_pid, self._close_in_child)
        connection.settimeout(REQUEST_SECONDS)
        self.jobs[pid] = connection
        self.selector.register(connection, selectors.EVENT_READ,
                               lambda conn, pid=pid: self._from_command(conn, pid))

    def _close_in_child(self) -> None:
        """Everything of the runner's that a child must not keep (called first in it)."""
        signal.set_wakeup_fd(-1)
        self.selector.close()
        if not self.closed:
            self.listener.close()
        os.close(self._wake_read)
        os.close(self._wake_write)
        for connection in self.jobs.values():
            connection.close()

    def _from_command(self, connection, pid: int) -> None:
        try:
            message, fds = wire.receive_frame(connection)
        except (OSError, ValueError):
            message, fds = None, []
        for fd in fds:
            os.close(fd)
        if message is None:  # the command was killed: so is its work, as it would have been
            self.selector.unregister(connection)
            _kill(pid, signal.SIGKILL)
            return
        number = message.get("signal")
        if message.get("op") == "signal" and number in wire.forwarded_signals():
            _kill(pid, int(number))

    def _drain_wakeups(self, _fd) -> None:
        try:
            while os.read(self._wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def _reap(self) -> None:
        while self.jobs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            connection = self.jobs.pop(pid, None)
            if connection is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            try:
                self.selector.unregister(connection)
            except (KeyError, ValueError):
                pass
            try:
                wire.send_frame(connection, {"exit": code} if code >= 0 else {"signal": -code})
            except OSError:
                pass
            connection.close()


def _kill(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _not_dumpable() -> None:
    """(Linux) No ptrace or /proc/PID/mem reads by other processes of the user, and no core
    dumps, as for the key agent: a command's environment passes through here (it may carry
    MEDSNAP_PASSPHRASE), and children, which inherit this, hold decrypted pictures."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_DUMPABLE = 4
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def main(argv: list[str]) -> int:
    """Entry of the runner: fork away from the launcher, bind, import, serve until locked."""
    from medsnap.messaging import agent_socket

    home = Path(argv[0]).resolve()
    identity = wire.interpreter_identity()  # as the commands see it, before anything else
    if os.fork():
        os._exit(0)  # the launcher ends at once: signin reaps it, the runner is nobody's zombie
    wire.INSIDE_RUNNER = True
    _not_dumpable()
    path = Path(wire.runner_socket_path(str(home)))
    try:
        listener = agent_socket.listen(path)  # private folder, 0600, a stale one replaced
    except (agent_socket.AgentUnavailable, OSError):
        return 1  # another runner serves this folder, or the folder is not private
    runner = Runner(home, identity, listener, path)
    importing_since = time.time_ns()
    if not warm_preload.preload():
        runner.close()
        return 1
    runner.loaded = warm_preload.loaded_files()
    if any(mtime >= importing_since for mtime, _size in runner.loaded.values()):
        runner.close()  # changed while it imported: which version was loaded is unknown
        return 1
    runner.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
