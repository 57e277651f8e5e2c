"""The client's side of session keys (docs/PROTOCOL.md, "Session keys"): open one with a
device-signed ``POST /v1/session`` carrying an ephemeral X25519 key, derive the session key
(it never travels), renew it before it expires, forget it when refused."""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from medsnap_endpoint import protocol as p
from medsnap_endpoint import session_agreement as agreement

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

    ``open_session(body)`` sends the device-signed ``POST /v1/session`` with that JSON body
    and returns its answer; ``clock_offset`` is the client's (tests shift its clock)."""

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
                ephemeral = X25519PrivateKey.generate()
                answer = self._open(json.dumps({"ephemeral_public_key": p.b64(
                    agreement.public_bytes(ephemeral))}).encode())
                if answer.status_code in (404, 405):  # an endpoint older than sessions
                    self.available = False
                    return None
                opened = raise_for(answer).json()
                key = agreed_key(ephemeral, opened)
                left = int(opened["expires_at"]) - int(time.time()) - self._clock_offset()
                left = min(left, int(opened["expires_in"])) - SESSION_MARGIN_SECONDS
                self._current = ClientSession(opened["session"], key,
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


def agreed_key(ephemeral: X25519PrivateKey, opened: dict[str, Any]) -> bytes:
    """The session key of the answer ``opened`` to a request that carried ``ephemeral``'s
    public key; an answer whose key confirmation fails (altered on the way) is refused."""
    from medsnap_endpoint.client import EndpointRefused

    try:
        token = str(opened["session"])
        key = agreement.session_key(
            agreement.shared_secret(ephemeral, p.unb64(opened["ephemeral_public_key"])),
            endpoint_id=str(opened["endpoint_id"]), head=agreement.token_head(token),
            client_public=agreement.public_bytes(ephemeral),
            server_public=p.unb64(opened["ephemeral_public_key"]))
        confirmed = hmac.compare_digest(p.unb64(opened["key_confirmation"]),
                                        agreement.confirmation(key, token))
    except (KeyError, TypeError, ValueError):  # UnusableEphemeralKey is a ValueError
        confirmed = False
    if not confirmed:
        raise EndpointRefused(502, "session_unconfirmed", "The endpoint's answer opening a "
                              "session could not be confirmed (it may have been altered on "
                              "the way); nothing was sent with it. Try again; if this "
                              "persists, tell IT.")
    return key
