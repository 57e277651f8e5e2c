"""Typed endpoint errors: an HTTP status, a stable machine code and a message a person can act on."""

from __future__ import annotations

from medsnap.errors import MedSnapError


class EndpointError(MedSnapError):
    """Base for every refusal the endpoint reports; ``code`` is a permanent protocol string."""

    status = 400
    code = "bad_request"
    exit_code = 3

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        if code:
            self.code = code
        self.details = details or {}

    def as_json(self) -> dict:
        body: dict = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class DownloadEndedShort(Exception):
    """A download stopped part-way, said in one warning line: its ciphertext was deleted
    meanwhile (acknowledged from another device, expired), or the database stopped answering.
    The body ends short of its Content-Length and the connection is closed, HTTP's sign of an
    incomplete body (a client reads it as a dropped connection and tries again, to find the
    message whole or gone); :mod:`.serve_log` keeps uvicorn from adding a traceback."""


class BadRequest(EndpointError):
    status = 400
    code = "bad_request"


class Unauthorized(EndpointError):
    status = 401
    code = "unauthorized"


class Forbidden(EndpointError):
    status = 403
    code = "forbidden"


class NotFound(EndpointError):
    status = 404
    code = "not_found"


class Conflict(EndpointError):
    status = 409
    code = "conflict"


class Gone(EndpointError):
    status = 410
    code = "gone"


class TooLarge(EndpointError):
    status = 413
    code = "too_large"


class Unprocessable(EndpointError):
    status = 422
    code = "unprocessable"


class RateLimited(EndpointError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class Unavailable(EndpointError):
    status = 503
    code = "unavailable"


class DatabaseUnavailable(Unavailable):
    """The database cannot be opened: it does not exist, its driver is not installed, or its
    server refused the connection (the command line's exit code 4)."""

    code = "database_unavailable"
    exit_code = 4


class AdminError(EndpointError):
    """An administration command could not be carried out (bad input or state)."""

    exit_code = 3


class ServeRefused(EndpointError):
    """``serve`` cannot listen where it was asked to (the port is taken, not permitted, or the
    address is not this computer's): nothing was served (the command line's exit code 3)."""

    exit_code = 3
