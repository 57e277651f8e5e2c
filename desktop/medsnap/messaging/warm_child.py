"""A warm runner's child: becomes the command that asked (its streams, folder, environment,
umask), runs ``medsnap.cli.main`` as the program would, and ends with its exit code.

First it drops everything of the runner's (sockets, signal handlers) and arranges to die
with the runner (Linux: PR_SET_PDEATHSIG). Before doing any work it tells the command
``started`` - or ``cold`` when the command is better run in the command's own process: the
clinician has no key agent and the passphrase would be asked on the terminal (a prompt needs
the command's controlling terminal, which a child of the runner does not have). Until
``started`` is sent nothing was done, so the command may run itself instead.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import sys
import threading
import time
import traceback

from medsnap.messaging import warm_wire as wire

PR_SET_PDEATHSIG = 1
FAILED_TO_START = 70  # the command is told nothing started and runs itself
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def run_child(request: dict, fds: list[int], connection, runner_pid: int, close_runner) -> None:
    """Never returns: the process ends with the command's exit code (or its signal)."""
    try:
        close_runner()
        _detach(runner_pid)
        _become(request, fds)
        argv = list(request["argv"])
        if _needs_terminal(argv):
            wire.send_frame(connection, {"cold": True})
            os._exit(0)
        wire.send_frame(connection, {"started": True, "pid": os.getpid()})
        connection.close()
    except BaseException:  # noqa: BLE001 - nothing was done; the command runs itself
        os._exit(FAILED_TO_START)
    _finish(_run_command(argv))


def _detach(runner_pid: int) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != runner_pid:  # the runner died before the line above
        os._exit(FAILED_TO_START)


def _become(request: dict, fds: list[int]) -> None:
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in set(fds) - {0, 1, 2}:  # a second copy would keep the command's pipes open
        os.close(fd)
    os.chdir(request["cwd"])
    os.umask(int(request["umask"]))
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    time.tzset()
    sys.stdin = sys.__stdin__ = _stream(0, "r", sys.__stdin__)
    sys.stdout = sys.__stdout__ = _stream(1, "w", sys.__stdout__)
    sys.stderr = sys.__stderr__ = _stream(2, "w", sys.__stderr__)
    sys.argv = ["medsnap", *request["argv"]]


def _stream(fd: int, mode: str, template):
    """A standard stream on ``fd`` as Python makes it at start-up (same encoding: the runner
    serves only commands started with the same locale variables)."""
    stream = open(fd, mode, encoding=template.encoding, errors=template.errors, newline="\n",
                  closefd=False)
    if mode == "w":
        stream.reconfigure(line_buffering=fd == 2 or os.isatty(fd),
                           write_through=template.write_through)  # python -u
    return stream


def _needs_terminal(argv: list[str]) -> bool:
    """No key agent for this clinician and no passphrase given but at the terminal's prompt."""
    from medsnap.messaging.agent_socket import agent_socket_path
    from medsnap.messaging.command_support import PASSPHRASE_ENV, workstation
    from medsnap.messaging.warm_control import agent_answers

    if "--passphrase-stdin" in argv or os.environ.get(PASSPHRASE_ENV):
        return False
    staff_id = None
    for index, word in enumerate(argv):
        if word == "--as" and index + 1 < len(argv):
            staff_id = argv[index + 1]
        elif word.startswith("--as="):
            staff_id = word.removeprefix("--as=")
    try:
        desk = workstation()
        profile = desk.current_profile(staff_id)
    except Exception:  # noqa: BLE001 - the command itself says what is wrong
        return False
    return not agent_answers(agent_socket_path(desk.home, profile.staff_id))


def _run_command(argv: list[str]) -> int:
    from medsnap.cli import main

    try:
        return int(main() or 0)  # as the program: send and inbox end here themselves
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return int(done.code or 0)
        print(done.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # outside the command's own handling: as Python ends
        sys.excepthook(*sys.exc_info())
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 130
    except BaseException:  # noqa: BLE001 - what Python prints for an uncaught error
        sys.excepthook(*sys.exc_info())
        return 1


def _flush() -> bool:
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            ok = False
    return ok


def _finish(code: int) -> None:
    """End as the interpreter would: threads joined, exit functions run, streams flushed."""
    try:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001
        traceback.print_exc()
    if not _flush():
        code = code or 120  # what Python's own exit reports for a closed pipe
    os._exit(code)
