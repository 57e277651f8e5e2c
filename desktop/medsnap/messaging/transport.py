"""The endpoint client (``medsnap_endpoint.client``) with errors sorted for the outbox.

Two kinds of failure matter to delivery:

* :class:`EndpointUnreachable` - no answer (network down, connection refused or reset, timeout,
  proxy failure, a certificate not accepted) or a temporary one (HTTP 5xx, 429). The work
  stays queued and is retried later.
* :class:`EndpointRefusedRequest` - the endpoint answered "no" (4xx). Retrying the same
  request will not help; the outbox marks the message failed with the endpoint's reason.

Proxies (:func:`system_proxy`): the environment first (``HTTPS_PROXY``/``HTTP_PROXY``/
``ALL_PROXY``/``NO_PROXY``, read as curl reads them); without such variables the system's
own setting (Windows Internet Options in the registry, macOS network settings), which
``urllib.request`` reads. Loopback never goes to a proxy taken from the system setting.
TLS: the system's trusted certificates (``medsnap_endpoint.http_pool.tls_context``).
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from medsnap.messaging.errors import (DamagedDownload, EndpointRefusedRequest,
                                      EndpointUnreachable)
from medsnap_endpoint.client import DeviceKeys, EndpointClient, EndpointRefused, raise_for
from medsnap_endpoint.http_pool import ConnectionFailure, Origin, ProxyFailure, TlsFailure

T = TypeVar("T")
_TEMPORARY = {408, 425, 429, 500, 502, 503, 504}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: fault injection for the crash tests: pause this many seconds in the middle of an upload,
#: or after the endpoint confirmed it but before the outbox records it
PAUSE_UPLOAD_ENV = "MEDSNAP_TEST_PAUSE_MID_UPLOAD"
PAUSE_AFTER_UPLOAD_ENV = "MEDSNAP_TEST_PAUSE_AFTER_UPLOAD"


def system_proxy(url: str) -> str | None:
    """The proxy the system configuration names for ``url``; None to connect directly."""
    if sys.platform not in ("win32", "darwin") and not any(
            name.lower().endswith("_proxy") for name in os.environ):
        return None  # no variable, and no system setting here: urllib.request (~3 ms) unused
    import urllib.request

    origin = Origin.from_url(url)
    host, scheme = origin.host, origin.scheme
    environment = urllib.request.getproxies_environment()
    named = {key: value for key, value in environment.items() if key != "no"}
    if named:
        proxy = named.get(scheme) or named.get("all")
        if not proxy or urllib.request.proxy_bypass_environment(host, environment):
            return None
        return proxy
    proxies, bypass = _os_proxy_settings()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or host in _LOOPBACK or bypass(host):
        return None
    return proxy


def _os_proxy_settings() -> tuple[dict[str, str], Callable[[str], Any]]:
    """The operating system's own proxy setting (none on Linux: there it is the environment)."""
    import urllib.request

    if sys.platform == "win32":
        return urllib.request.getproxies_registry(), urllib.request.proxy_bypass_registry
    if sys.platform == "darwin":
        return (urllib.request.getproxies_macosx_sysconf(),
                urllib.request.proxy_bypass_macosx_sysconf)
    return {}, lambda host: False


def make_client(url: str, keys: DeviceKeys | None = None, timeout: float = 60.0) -> EndpointClient:
    return EndpointClient(url, keys, timeout=timeout, proxy=system_proxy(url))


def _why_unreachable(failure: ConnectionFailure) -> str:
    if isinstance(failure, (TlsFailure, ProxyFailure)) and failure.detail:
        return f"{failure.reason} ({failure.detail})"
    return failure.reason


class Transport:
    """Every endpoint call, with failures raised as the two typed kinds above."""

    def __init__(self, url: str, keys: DeviceKeys | None = None, timeout: float = 60.0):
        self.url = url
        self.client = make_client(url, keys, timeout)

    def close(self) -> None:
        self.client.close()

    def set_keys(self, keys: DeviceKeys | None) -> None:
        self.client.keys = keys

    def call(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return operation(*args, **kwargs)
        except EndpointRefused as error:
            if error.code == "damaged" and operation == self.client.download:  # a letter's
                raise DamagedDownload(error.message, code=error.code,  # bytes: the same each
                                      status=error.status) from None  # time (not a key file)
            if error.status in _TEMPORARY:
                raise EndpointUnreachable(
                    f"The MedSnap endpoint is busy or failing ({error.status}: {error.message})."
                    " Try again in a few minutes.") from None
            raise EndpointRefusedRequest(
                f"The MedSnap endpoint refused this: {error.message}", code=error.code,
                status=error.status) from None
        except ConnectionFailure as failure:
            # what was or was not kept depends on the caller (send queues, inbox does not),
            # so this says only what went wrong, in words rather than an exception's name
            raise EndpointUnreachable(
                f"The MedSnap endpoint at {self.url} cannot be reached: "
                f"{_why_unreachable(failure)}.") from None

    # the operations the engine uses -------------------------------------------------------
    def upload(self, message_id: str, recipients: list[str], ciphertext: bytes, *,
               before_end: Callable[[], None] | None = None) -> dict:
        """Send one letter. ``before_end()`` (the outbox's "it is on disk", see
        ``Outbox.enqueue_while``) is called before the last bytes go: the endpoint stores a
        letter only once its whole body has come (the body's signed SHA-256 must match), so
        it cannot hold one the outbox has not stored. If it raises, the upload stops there."""
        pause = float(os.environ.get(PAUSE_UPLOAD_ENV) or 0)
        if pause:
            return self.call(self._paused_upload, message_id, recipients, ciphertext, pause,
                             before_end)
        if before_end is not None:
            answer = self.call(self._held_upload, message_id, recipients, ciphertext,
                               before_end)
        else:
            answer = self.call(self.client.send, message_id, recipients, ciphertext)
        pause = float(os.environ.get(PAUSE_AFTER_UPLOAD_ENV) or 0)
        if pause:
            import time

            print("MEDSNAP-TEST: uploaded", file=sys.stderr, flush=True)
            time.sleep(pause)
        return answer

    def _held_upload(self, message_id: str, recipients: list[str], ciphertext: bytes,
                     before_end: Callable[[], None]) -> dict:
        body = _HeldBack(ciphertext, before_end)
        digest = hashlib.sha256(ciphertext).hexdigest()

        def send() -> dict:
            request = self.client.upload_request(message_id, recipients, body,
                                                 body_sha256=digest)
            return raise_for(self.client.send_request(request)).json()

        try:
            return send()
        except ConnectionFailure as failure:
            if not failure.stale:
                raise
        body.seek(0)  # a kept-alive connection found closed before any answer: once more
        return send()

    def _paused_upload(self, message_id: str, recipients: list[str], ciphertext: bytes,
                       pause: float, before_end: Callable[[], None] | None = None) -> dict:
        """Send half the body, stop (so a test can kill the process), then send the rest;
        ``before_end`` is called before the pause, so a kill there finds the letter stored."""
        import time

        def body():
            half = len(ciphertext) // 2
            yield ciphertext[:half]
            if before_end is not None:
                before_end()
            print("MEDSNAP-TEST: mid-upload", file=sys.stderr, flush=True)
            time.sleep(pause)
            yield ciphertext[half:]

        request = self.client.upload_request(message_id, recipients, body(),
                                             body_sha256=hashlib.sha256(ciphertext).hexdigest())
        return raise_for(self.client.send_request(request)).json()


class _HeldBack(io.BytesIO):
    """A letter as a file to upload whose last block is read only once ``ready()`` returned."""

    def __init__(self, data: bytes, ready: Callable[[], None]):
        super().__init__(data)
        self._size = len(data)
        self._ready: Callable[[], None] | None = ready

    def read(self, size: int | None = -1) -> bytes:
        if self._ready is not None and (size is None or size < 0
                                        or self.tell() + size >= self._size):
            ready, self._ready = self._ready, None
            ready()  # raises if the letter could not be stored: the upload stops unfinished
        return super().read(size)
