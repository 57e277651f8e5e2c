"""Typed messaging errors; each says what happened, what was kept safe, what to do next."""

from __future__ import annotations

from medsnap.errors import MedSnapError


class MessagingError(MedSnapError):
    """Base for profile, sign-in, outbox, inbox and transport errors."""

    exit_code = 7


class NotSignedIn(MessagingError):
    """No profile on this workstation, or the profile is locked."""

    exit_code = 7


class ProfileError(MessagingError):
    """The profile folder or its settings cannot be used."""

    exit_code = 7


class NoEndpoint(MessagingError):
    """No endpoint is configured (policy, --endpoint, or a running demo)."""

    exit_code = 7


class EndpointUnreachable(MessagingError):
    """The network or the endpoint is down; queued work stays queued and is retried."""

    exit_code = 8


class EndpointRefusedRequest(MessagingError):
    """The endpoint answered and refused; retrying the same request will not help."""

    exit_code = 9

    def __init__(self, message: str, code: str = "", status: int = 0):
        super().__init__(message)
        self.code = code
        self.status = status


class DamagedDownload(EndpointRefusedRequest):
    """A download whose bytes do not match the endpoint's own SHA-256 of what was uploaded:
    that one letter is damaged where it is kept (see inbox_damaged), not the network."""


class RefusedLetter(MessagingError):
    """A letter refused when it arrived (damaged, tampered, not for this key...): exit 6, the
    code for a signature or encryption problem, not 7's sign-in problem."""

    exit_code = 6


class NoSuchMessage(MessagingError):
    """An outbox or inbox id that does not exist (or was deleted)."""

    exit_code = 2


class DemoAlreadyRunning(MessagingError):
    """A demo already serves this MEDSNAP_HOME; a second one would fight over its address."""

    exit_code = 2


class DemoPortBusy(MessagingError):
    """``medsnap demo --port P`` and another program holds P."""

    exit_code = 2


class RecipientNotFound(MessagingError):
    """--to matched nobody, or more than one colleague."""

    exit_code = 2
