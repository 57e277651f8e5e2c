"""Has a colleague enrolled again (a new workstation, a lost key file, or someone pretending
to be them) since their directory entry was read? The window asks before a Send; the command
cautions on standard error."""

from __future__ import annotations

import threading
from typing import Callable

from medsnap.errors import MedSnapError

#: how long a send waits for the directory's answer about new keys before sealing to the
#: keys listed (a hung endpoint must not keep the letter out of the outbox: it is queued at
#: once, and the endpoint refuses a revoked recipient anyway)
KEY_CHECK_SECONDS = 2.0


def same_keys(entry: dict, other: dict) -> bool:
    """Two directory entries of one colleague carry the same certificates."""
    return all(entry.get(key) == other.get(key)
               for key in ("signing_certificate", "encryption_certificate"))


def safety_number_of(entry: dict) -> str:
    """The safety number of a directory entry's keys (crypto.safety_number)."""
    from medsnap.crypto.certificates import ClinicianCertificates
    from medsnap.crypto.safety_number import safety_number

    pem = (entry["signing_certificate"] + entry["encryption_certificate"]).encode("ascii")
    return safety_number(ClinicianCertificates.from_pem(pem))


def newer_keys(session, entry: dict | None) -> dict | None:
    """The colleague's directory entry now, if its certificates are not those of ``entry``
    (a list loaded earlier). None when unchanged, or when the endpoint cannot say (offline:
    sealed to the listed keys, checked against the kept CRL)."""
    if entry is None:
        return None
    from medsnap.messaging.errors import EndpointRefusedRequest, EndpointUnreachable

    transport = session.transport
    try:
        now = transport.call(transport.client.lookup, entry["staff_id"])
    except (EndpointUnreachable, EndpointRefusedRequest):
        return None
    return None if same_keys(now, entry) else now


def newer_keys_meanwhile(session, entry: dict | None) -> Callable[[], dict | None]:
    """Start ``newer_keys`` on a thread; the returned callable gives its answer, or None if
    it has not come within KEY_CHECK_SECONDS of being asked."""
    answer: list = [None]

    def check() -> None:
        try:
            answer[0] = newer_keys(session, entry)
        except (MedSnapError, ValueError):  # locked meanwhile (the client has no keys
            pass                            # now): the send itself says what happened

    thread = threading.Thread(target=check, daemon=True, name="key-check")
    thread.start()

    def result() -> dict | None:
        thread.join(KEY_CHECK_SECONDS)
        return answer[0]

    return result
