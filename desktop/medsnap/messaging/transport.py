"""The endpoint client (``medsnap_endpoint.client``) with errors sorted for the outbox.

Two kinds of failure matter to delivery:

* :class:`EndpointUnreachable` - no answer (network down, connection refused, timeout, proxy
  failure) or a temporary one (HTTP 5xx, 429). The work stays queued and is retried later.
* :class:`EndpointRefusedRequest` - the endpoint answered "no" (4xx). Retrying the same
  request will not help; the outbox marks the message failed with the endpoint's reason.

Proxies: httpx honours ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` from the
environment (``trust_env``). On Windows there are usually no such variables; the system proxy
is in the registry (Internet Options), which ``urllib.request.getproxies()`` reads, so on
Windows those proxies are passed to httpx explicitly. Loopback is never proxied.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

if "httpx" not in sys.modules:
    # httpx imports its own command line (click, rich, pygments: ~70 ms per MedSnap command)
    # whenever those happen to be installed; None here makes that optional import fail fast
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402

from medsnap.messaging.errors import EndpointRefusedRequest, EndpointUnreachable  # noqa: E402
from medsnap_endpoint.client import DeviceKeys, EndpointClient, EndpointRefused  # noqa: E402

T = TypeVar("T")
_TEMPORARY = {408, 425, 429, 500, 502, 503, 504}
#: fault injection for the crash tests: pause this many seconds in the middle of an upload,
#: or after the endpoint confirmed it but before the outbox records it
PAUSE_UPLOAD_ENV = "MEDSNAP_TEST_PAUSE_MID_UPLOAD"
PAUSE_AFTER_UPLOAD_ENV = "MEDSNAP_TEST_PAUSE_AFTER_UPLOAD"


def system_proxy_mounts(url: str) -> dict[str, httpx.HTTPTransport] | None:
    """Explicit proxy transports from the OS settings (Windows registry), else None."""
    if sys.platform != "win32" or any(os.environ.get(name) for name in (
            "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")):
        return None
    proxies = urllib.request.getproxies()
    host = httpx.URL(url).host
    if host in ("127.0.0.1", "localhost", "::1") or urllib.request.proxy_bypass(host):
        return None
    mounts = {f"{scheme}://": httpx.HTTPTransport(proxy=proxies[scheme])
              for scheme in ("http", "https") if proxies.get(scheme)}
    return mounts or None


def tls_for(url: str) -> Any:
    """httpx's ``verify``: the default (the CA bundle, ~0.1 s to load) for https only.

    For a plain-http endpoint (the demo on 127.0.0.1) a client context that trusts no one:
    nothing to load, and should anything ever switch to TLS it fails closed.
    """
    if httpx.URL(url).scheme == "https":
        return True
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def make_client(url: str, keys: DeviceKeys | None = None, timeout: float = 60.0) -> EndpointClient:
    client = EndpointClient(url, keys, timeout=timeout, verify=tls_for(url))
    mounts = system_proxy_mounts(url)
    if mounts:  # replace the plain client with one that goes through the system proxy
        client.http.close()
        client.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout, mounts=mounts)
    return client


def _why_unreachable(error: Exception) -> str:
    if isinstance(error, httpx.ProxyError):
        return "the proxy server refused or failed the connection"
    if isinstance(error, httpx.TimeoutException):
        return "it did not answer in time"
    if isinstance(error, httpx.ConnectError):
        return "no connection could be made (the network, or the endpoint, is down)"
    return "the connection failed (the network, or the endpoint, is down)"


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
            if error.status in _TEMPORARY:
                raise EndpointUnreachable(
                    f"The MedSnap endpoint is busy or failing ({error.status}: {error.message})."
                    " Try again in a few minutes.") from None
            raise EndpointRefusedRequest(
                f"The MedSnap endpoint refused this: {error.message}", code=error.code,
                status=error.status) from None
        except (httpx.TransportError, httpx.ProxyError) as error:
            # what was or was not kept depends on the caller (send queues, inbox does not),
            # so this says only what went wrong, in words rather than an exception's name
            raise EndpointUnreachable(
                f"The MedSnap endpoint at {self.url} cannot be reached: "
                f"{_why_unreachable(error)}.") from None

    # the operations the engine uses -------------------------------------------------------
    def upload(self, message_id: str, recipients: list[str], ciphertext: bytes) -> dict:
        pause = float(os.environ.get(PAUSE_UPLOAD_ENV) or 0)
        if pause:
            return self.call(self._paused_upload, message_id, recipients, ciphertext, pause)
        answer = self.call(self.client.send, message_id, recipients, ciphertext)
        pause = float(os.environ.get(PAUSE_AFTER_UPLOAD_ENV) or 0)
        if pause:
            import time

            print("MEDSNAP-TEST: uploaded", file=sys.stderr, flush=True)
            time.sleep(pause)
        return answer

    def _paused_upload(self, message_id: str, recipients: list[str], ciphertext: bytes,
                       pause: float) -> dict:
        """Send half the body, stop (so a test can kill the process), then send the rest."""
        import time

        def body():
            half = len(ciphertext) // 2
            yield ciphertext[:half]
            print("MEDSNAP-TEST: mid-upload", file=sys.stderr, flush=True)
            time.sleep(pause)
            yield ciphertext[half:]

        client = self.client
        request = client.signed_request(
            "POST", "/v1/messages",
            params=[("message_id", message_id)] + [("to", r) for r in recipients],
            content=ciphertext, headers={"Content-Type": "application/octet-stream"})
        streamed = httpx.Request(request.method, request.url, headers=request.headers,
                                 content=body())
        response = client.http.send(streamed)
        if response.status_code >= 400:
            raise EndpointRefused(response.status_code, "error", response.text[:200])
        return response.json()
