"""A command whose reader stopped early (``medsnap --show-config | head -3``) ends quietly."""

from __future__ import annotations

import os
import sys


def stdout_to_nothing(fd: int | None = None) -> None:
    """Point standard output (or ``fd``) at nothing: Python flushes it again at exit, and a
    flush into a closed pipe would print a traceback after the reader has what it wanted."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno() if fd is None else fd)
    finally:
        os.close(devnull)


class QuietStdout:
    """Standard output that drops the rest of its text once the reader has gone (``| head``),
    as a Unix tool does, instead of raising BrokenPipeError wherever a command prints.

    The command still finishes (what it stores, sends or acknowledges must not be cut off
    half-way by a reader that stopped) and exits with its own code. Binary output
    (``.buffer``) is untouched: there a cut-short copy is an error its command reports."""

    def __init__(self, stream) -> None:
        self._stream = stream
        #: the reader went away: what was written since went nowhere (a command whose output
        #: is the product itself, such as a new key, must fail)
        self.reader_gone = False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._drop_the_rest()
            return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._drop_the_rest()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def _drop_the_rest(self) -> None:
        self.reader_gone = True
        stdout_to_nothing(self._stream.fileno())
        try:
            self._stream.flush()  # what was buffered for the gone reader goes nowhere
        except OSError:
            pass


def quiet_stdout() -> None:
    """From now on a closed pipe on standard output ends the output, not the command."""
    if not isinstance(sys.stdout, QuietStdout) and sys.stdout is not None:
        sys.stdout = QuietStdout(sys.stdout)
