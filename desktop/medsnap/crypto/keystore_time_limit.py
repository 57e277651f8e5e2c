"""A time limit on keyring calls that may wait on a prompt nobody sees.

A Secret Service with no default collection answers "create one" with a prompt
(secretstorage's create_collection -> exec_prompt), which waits for a person at the desktop;
in a terminal, over SSH or in a session whose prompter is missing, that is forever. The call
runs on a daemon thread: when the time is up the caller gets KeyringNotAnswering, and the
thread, which cannot be interrupted, is left to finish or to end with the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from medsnap.crypto.keystore_errors import KeyringNotAnswering

T = TypeVar("T")

#: seconds a keyring check may take before it is taken to be waiting on a prompt
KEYRING_TIME_LIMIT = 20.0


def within_time_limit(call: Callable[[], T], seconds: float | None = None) -> T:
    """``call()``'s result or exception, or KeyringNotAnswering after ``seconds``."""
    limit = KEYRING_TIME_LIMIT if seconds is None else seconds
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    worker = threading.Thread(target=run, name="keyring call", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        raise KeyringNotAnswering(limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
