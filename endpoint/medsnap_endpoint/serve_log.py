"""What ``serve`` says on standard error (the systemd journal): one line at start-up, one per
refused request (INFO) or server error (ERROR). A request served successfully says nothing
unless ``--access-log`` turns on uvicorn's access log: a line per request costs throughput."""

from __future__ import annotations

import logging
import sys
from importlib import metadata

from starlette.types import Scope

from medsnap_endpoint.errors import DownloadEndedShort, EndpointError
from medsnap_endpoint.storage.urls import _shown

log = logging.getLogger("medsnap_endpoint")


def configure(level: str) -> None:
    """Lines of the ``medsnap_endpoint`` logger at ``level`` and above go to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("medsnap-endpoint: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if level == "trace" else level.upper())
    log.propagate = False
    logging.getLogger("uvicorn.error").addFilter(_said_already)


def _said_already(record: logging.LogRecord) -> bool:
    """uvicorn's "Exception in ASGI application" and traceback, dropped for a download ended
    short on purpose: that was said in one line, and uvicorn closes the connection as it should."""
    return not (record.exc_info and isinstance(record.exc_info[1], DownloadEndedShort))


def _version() -> str:
    try:
        return metadata.version("medsnap")
    except metadata.PackageNotFoundError:
        return "unknown"


def database_kind(url: str) -> str:
    """``postgresql (postgresql://medsnap@/medsnap)``: the kind and the address, no password."""
    return f"{url.partition(':')[0]} ({_shown(url)})"


def started(*, host: str, port: int, database_url: str, tls: bool) -> None:
    scheme = "https" if tls else "http"
    where = f"[{host}]" if ":" in host else host
    log.info("medsnap-endpoint %s serving %s://%s:%d; database %s; TLS %s", _version(),
             scheme, where, port, database_kind(database_url), "on" if tls else "off")


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def refused(scope: Scope, error: EndpointError) -> None:
    """One line per refused request: who asked (address), what, and the answer given."""
    if log.isEnabledFor(logging.INFO):
        # the path as sent (still percent-encoded) and quoted: a caller's "%0A" cannot start
        # a forged line in the journal
        path = (scope.get("raw_path") or str(scope.get("path", "")).encode()).decode("latin-1")
        log.info("refused %s %r from %s: %d %s: %r", scope.get("method"), path,
                 _client(scope), error.status, error.code, error.message)
