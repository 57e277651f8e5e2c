"""The client's side of session keys (docs/PROTOCOL.md, "Session keys"): open one with a
device-signed ``POST /v1/session``, renew it before it expires, forget it when refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from medsnap_endpoint import protocol as p

#: a session is renewed this long before the endpoint would refuse it
SESSION_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class ClientSession:
    """A session key from POST /v1/session (never printed); renewed at ``renew_at``
    (``time.monotonic``)."""

    token: str = field(repr=False)
    key: bytes = field(repr=False)
    renew_at: float


class SessionKeeper:
    """One client's current session, shared by its threads.

    ``open_session()`` sends the device-signed ``POST /v1/session`` and returns its answer;
    ``clock_offset`` is the client's (tests shift its clock)."""

    def __init__(self, open_session: Callable[[], Any], clock_offset: Callable[[], int]):
        self._open = open_session
        self._clock_offset = clock_offset
        self._current: ClientSession | None = None
        self._lock = threading.Lock()
        #: false once the endpoint answered that it has no sessions (404, 405)
        self.available = True

    def current(self) -> ClientSession | None:
        """The session to sign with, opened or renewed first if needed; None without."""
        from medsnap_endpoint.client import raise_for  # (the client imports this module)

        with self._lock:
            if not self.available:
                return None
            if self._current is None or time.monotonic() >= self._current.renew_at:
                self._current = None
                answer = self._open()
                if answer.status_code in (404, 405):  # an endpoint older than sessions
                    self.available = False
                    return None
                opened = raise_for(answer).json()
                left = int(opened["expires_at"]) - int(time.time()) - self._clock_offset()
                left = min(left, int(opened["expires_in"])) - SESSION_MARGIN_SECONDS
                self._current = ClientSession(opened["session"], p.unb64(opened["session_key"]),
                                              time.monotonic() + max(0, left))
            return self._current

    def forget(self, session: ClientSession) -> None:
        """The endpoint refused ``session``: the next request opens a new one."""
        with self._lock:
            if self._current is session:
                self._current = None

    def replace(self, session: ClientSession | None) -> None:
        """Use ``session`` as the current one (tests)."""
        with self._lock:
            self._current = session
