"""Keep-alive HTTP/1.1 connections to one endpoint, on the standard library's ``http.client``.

``http.client`` does the wire work: request framing, response bodies (chunked or not), CONNECT
tunnels, TLS with host name checks; an answer's headers are read by
:mod:`medsnap_endpoint.http_response`, which refuses any whose framing could be read two ways.
This module adds what a client of one endpoint needs around it, and nothing else:

* a pool of idle connections, safe to share between threads (the sync worker and the window
  use one client): a request takes a connection for itself and gives it back once its answer
  was read whole; one idle for :data:`IDLE_SECONDS`, or already closed by the server, is
  dropped instead of reused;
* a proxy: absolute-form requests through an ``http://`` proxy for a plain-http endpoint, a
  CONNECT tunnel for an ``https://`` one, with the proxy's credentials if its URL has them;
* failures as the typed kinds below, each with plain words for the clinician.

Why not httpx or urllib3 (benchmarks/http_client_bench.py, the same signed exchange on
loopback): httpx spent 2.2x this client's CPU per 100 KB exchange and 4x its import time,
urllib3 1.3x the CPU and 2x the import; urllib3 itself sends and parses HTTP/1.1 through
``http.client``, and the pool, proxy and error sorting below are all the app needs of it.
"""

from __future__ import annotations

import base64
import http.client
import json
import select
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from medsnap.errors import MedSnapError
from medsnap_endpoint.http_response import Response
from medsnap_endpoint.request_signing import FILE_BLOCK

#: a connection idle this long is closed, not reused; the endpoint keeps idle connections open
#: far longer (``serve --keep-alive-seconds``, 75 s), so the server never closes one first
IDLE_SECONDS = 5.0
USER_AGENT = "MedSnap"
Body = bytes | BinaryIO | Iterable[bytes] | None


class ConnectionFailure(MedSnapError):
    """No answer came back; ``reason`` says why in words a clinician can read."""

    exit_code = 8
    reason = "the connection failed (the network, or the endpoint, is down)"

    def __init__(self, detail: str = "", *, stale: bool = False):
        super().__init__(f"The endpoint cannot be reached: {self.reason}."
                         + (f" ({detail})" if detail else ""))
        self.detail = detail
        #: on a kept-alive connection the server had closed, before any answer: a request
        #: that may be repeated can be sent again on a new connection
        self.stale = stale


class ConnectionRefused(ConnectionFailure):
    reason = "no connection could be made (the network, or the endpoint, is down)"


class ConnectionDropped(ConnectionFailure):
    """Reset or closed mid-exchange."""


class ConnectionTimedOut(ConnectionFailure):
    reason = "it did not answer in time"


class TlsFailure(ConnectionFailure):
    reason = ("its security certificate was not accepted, so nothing was sent to it (this "
              "computer may not trust the certificate's issuer: ask IT)")


class ProxyFailure(ConnectionFailure):
    reason = "the proxy server refused or failed the connection"


@dataclass(frozen=True)
class Origin:
    """Where the endpoint is: scheme, host name and port of its URL."""

    scheme: str
    host: str
    port: int

    @classmethod
    def from_url(cls, url: str) -> Origin:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http:// or https:// address: {url!r}")
        return cls(parts.scheme, parts.hostname, parts.port or _DEFAULT_PORT[parts.scheme])

    @property
    def host_header(self) -> str:
        """The Host header as sent (and signed): the port only when not the scheme's default."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == _DEFAULT_PORT[self.scheme] else f"{name}:{self.port}"


_DEFAULT_PORT = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str | None = None  # a Proxy-Authorization value, from the URL's user:password

    @classmethod
    def from_url(cls, url: str) -> Proxy:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme != "http" or not parts.hostname:
            raise ProxyFailure(f"MedSnap can use an http:// proxy only, not {url!r}")
        credentials = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            credentials = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        return cls(parts.hostname, parts.port or 80, credentials)


class Answer:
    """The endpoint's answer, read whole: status, headers (case-insensitive), body."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: http.client.HTTPMessage, content: bytes):
        self.status_code = status_code
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def tls_context(verify: ssl.SSLContext | str | bool) -> ssl.SSLContext:
    """``True``: the system's trusted certificates (on Windows its certificate store, where IT
    installs the hospital's authority; everywhere ``SSL_CERT_FILE``/``SSL_CERT_DIR`` if set).
    A path: that CA bundle file (or hashed folder). A context: itself."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is True:
        return ssl.create_default_context()
    if isinstance(verify, str) and verify:
        if Path(verify).is_dir():
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    raise ValueError("certificate checks cannot be turned off")


class _Connection(http.client.HTTPConnection):
    response_class = Response


class _TlsConnection(http.client.HTTPSConnection):
    response_class = Response


class ConnectionPool:
    """Idle keep-alive connections to one origin, directly or through one proxy."""

    def __init__(self, origin: Origin, *, tls: ssl.SSLContext | None = None,
                 proxy: Proxy | None = None, timeout: float = 60.0, keep: int = 16):
        if origin.scheme == "https" and tls is None:
            raise ValueError("an https:// endpoint needs a TLS context")
        self.origin, self.tls, self.proxy, self.timeout = origin, tls, proxy, timeout
        self._keep = keep
        self._idle: list[tuple[float, http.client.HTTPConnection]] = []
        self._lock = threading.Lock()
        self.connections_made = 0  # tests check reuse with it

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection in idle:
            connection.close()

    def request(self, method: str, target: str, headers: dict[str, str],
                body: Body = None) -> Answer:
        """Send one request (``target``: path and query, as signed) and read its whole answer."""
        connection, reused = self._take()
        stage = "sending"
        try:
            if not reused:
                stage = "connecting"
                connection.connect()
                stage = "sending"
            connection.request(method, self._request_target(target),
                               body, self._headers(headers))
            stage = "waiting"
            response = connection.getresponse()
            stage = "reading"
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise _failure(error, stage, proxied=self.proxy is not None, reused=reused) \
                from error
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._give_back(connection)
        return Answer(response.status, response.headers, content)

    # connections -----------------------------------------------------------------------------
    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        now = time.monotonic()
        with self._lock:
            while self._idle:
                since, connection = self._idle.pop()
                if now - since < IDLE_SECONDS and not _closed_by_peer(connection):
                    return connection, True
                connection.close()
            self.connections_made += 1
        return self._new_connection(), False

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append((time.monotonic(), connection))
                return
        connection.close()

    def _new_connection(self) -> http.client.HTTPConnection:
        origin, proxy = self.origin, self.proxy
        host, port = (proxy.host, proxy.port) if proxy else (origin.host, origin.port)
        if origin.scheme == "https":
            connection: http.client.HTTPConnection = _TlsConnection(
                host, port, timeout=self.timeout, context=self.tls, blocksize=FILE_BLOCK)
            if proxy:
                tunnel = {"Proxy-Authorization": proxy.authorization} \
                    if proxy.authorization else None
                connection.set_tunnel(origin.host, origin.port, headers=tunnel)
            return connection
        return _Connection(host, port, timeout=self.timeout, blocksize=FILE_BLOCK)

    def _request_target(self, target: str) -> str:
        if self.proxy and self.origin.scheme == "http":  # a proxy wants the absolute form
            return f"http://{self.origin.host_header}{target}"
        return target

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        sent = {"User-Agent": USER_AGENT, **headers}
        if not any(name.lower() == "host" for name in headers):
            sent["Host"] = self.origin.host_header
        if self.proxy and self.proxy.authorization and self.origin.scheme == "http":
            sent["Proxy-Authorization"] = self.proxy.authorization
        return sent


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read has been closed (or broken) by the server."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _failure(error: BaseException, stage: str, *, proxied: bool,
             reused: bool) -> ConnectionFailure:
    detail = str(error) or type(error).__name__
    if isinstance(error, ssl.SSLError):
        return TlsFailure(getattr(error, "verify_message", None) or getattr(
            error, "reason", None) or detail)
    if isinstance(error, TimeoutError):
        return ConnectionTimedOut()
    if stage == "connecting":
        if proxied and detail.startswith("Tunnel connection failed"):
            return ProxyFailure(detail)
        return ConnectionRefused()
    unanswered = stage in ("sending", "waiting") and isinstance(
        error, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected))
    return ConnectionDropped(stale=reused and unanswered)
