"""A command whose reader stopped early (``medsnap --show-config | head -3``) ends quietly."""

from __future__ import annotations

import os
import sys


def stdout_to_nothing() -> None:
    """Point standard output at nothing: Python flushes it again at exit, and a flush into a
    closed pipe would print a traceback after the reader already has what it wanted."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
