"""The ``medsnap`` command's fast path: hand the command to a warm runner when one serves here.

``run_warm(argv)`` connects to this user's warm runner for the workstation folder (see
``warm_runner``), sends the arguments, working folder, environment and umask, with this
process's standard input, output and error as file descriptors, and waits for the exit
code; meanwhile Ctrl+C (SIGINT), SIGTERM, SIGHUP and SIGQUIT received here are passed on to
the child running the command. It returns None - run the command here, as before - when no
runner listens, when the runner refuses (other code, other interpreter, other user), or when
the runner says this command is better run here (no key agent for its clinician). Once the
runner has said the command started, it is never run a second time here: a child that dies
is reported as such. Standard library only, so that a command that ends up running here
has lost ~3 ms, not the imports it wanted to skip.
"""

from __future__ import annotations

import _socket  # (local_socket says why not socket)
import os
import sys

from medsnap.messaging import warm_wire as wire

FIRST_ANSWER_SECONDS = 20.0  # a runner still importing (just started) answers late
PASSPHRASE_ENV = "MEDSNAP_PASSPHRASE"  # medsnap.messaging.unlock's


def run_warm(argv: list[str]) -> int | None:
    """Run ``medsnap ARGV`` in the warm runner; its exit code, or None to run it here."""
    if wire.INSIDE_RUNNER or not wire.SUPPORTED or wire.turned_off():
        return None
    if PASSPHRASE_ENV in os.environ:  # a passphrase must not reach the long-lived runner
        return None
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)  # a closed standard stream cannot be passed on
        path = wire.runner_socket_path(wire.medsnap_home_text())
        if not wire.private_to_me(os.path.dirname(path)):
            return None  # (XDG_RUNTIME_DIR pointed somewhere shared: anyone could answer)
        connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        connection.settimeout(FIRST_ANSWER_SECONDS)
        try:
            connection.connect(path)
            if not wire.peer_is_me(connection):
                return None
        except OSError:
            return None
        return _run(connection, argv)
    finally:
        connection.close()


def _run(connection: _socket.socket, argv: list[str]) -> int | None:
    umask = os.umask(0o077)
    os.umask(umask)
    try:
        request = {"op": "run", "version": wire.PROTOCOL_VERSION,
                   "identity": wire.interpreter_identity(), "argv": argv, "cwd": os.getcwd(),
                   "env": dict(os.environ), "umask": umask}
        wire.send_frame(connection, request, [0, 1, 2])
        answer, _ = wire.receive_frame(connection)
        if not answer or not answer.get("ready"):
            return None  # refused: run it here
        # Only now may the runner fork: a runner that answered too late (still importing)
        # never gets this, so it cannot run the command a second time beside this process
        connection.settimeout(None)
        wire.send_frame(connection, {"op": "go"})
        answer, _ = wire.receive_frame(connection)
    except (OSError, ValueError):
        return None  # nothing started: the child says so before it does anything
    if not answer or not answer.get("started"):
        return None  # refused, or 'run it there' (no key agent for this clinician)
    connection.settimeout(None)
    return _wait_for_exit(connection, argv[0])


def _wait_for_exit(connection: _socket.socket, command: str) -> int:
    import _signal  # (warm_wire.forwarded_signals says why)

    def forward(number, _frame) -> None:
        try:
            wire.send_frame(connection, {"op": "signal", "signal": int(number)})
        except OSError:
            pass

    previous = {number: _signal.signal(number, forward) for number in wire.forwarded_signals()}
    try:
        while True:
            try:
                answer, _ = wire.receive_frame(connection)
            except ValueError:
                answer = None
            except InterruptedError:
                continue
            if answer is None:
                return _report(command, "MedSnap's command runner stopped while it ran", 1)
            if "exit" in answer:
                return int(answer["exit"])
            if "signal" in answer:
                return _signalled(command, int(answer["signal"]), previous)
    finally:
        for number, handler in previous.items():
            _signal.signal(number, handler)


def _signalled(command: str, number: int, previous: dict) -> int:
    """The child ended by a signal: one passed on from here ends this process the same way."""
    import signal

    if number in previous:  # Ctrl+C or a kill sent to this command: end as it would have
        signal.signal(number, signal.SIG_DFL)
        sys.stdout.flush()
        os.kill(os.getpid(), number)
        return 128 + number
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return _report(command, f"it was stopped by {name}", 128 + number)


def _report(command: str, why: str, code: int) -> int:
    print(f"medsnap {command}: the command ended unexpectedly ({why}). What it had already "
          "done is kept (a letter queued stays in the outbox and is sent once); check with "
          "'medsnap outbox' or 'medsnap inbox', and run it again if needed.", file=sys.stderr)
    return code
