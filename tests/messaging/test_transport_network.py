"""The app's transport on the network: the words a clinician reads when the endpoint cannot be
reached (unchanged since the httpx client), TLS trust, the system proxy setting, and a start-up
that loads no third-party HTTP library."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest
from endpoint_harness import EndpointServer, with_hospital_ca
from http_peers import ForwardProxy, ResettingServer, SilentServer, localhost_certificate
from messaging_support import LIMITS

from medsnap.messaging import transport as transport_module
from medsnap.messaging.errors import EndpointUnreachable
from medsnap.messaging.transport import Transport, system_proxy

PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy"]


@pytest.fixture
def no_proxy_settings(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _unreachable(url: str, timeout: float = 5) -> str:
    transport = Transport(url, timeout=timeout)
    with pytest.raises(EndpointUnreachable) as error:
        transport.call(transport.client.healthz)
    return error.value.message


def test_offline_answers_keep_their_words(no_proxy_settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}"
    assert _unreachable(closed) == (
        f"The MedSnap endpoint at {closed} cannot be reached: no connection could be made "
        "(the network, or the endpoint, is down).")
    with SilentServer() as silent:
        url = f"http://127.0.0.1:{silent.port}"
        assert _unreachable(url, timeout=0.5) == (
            f"The MedSnap endpoint at {url} cannot be reached: it did not answer in time.")
    with ResettingServer() as resetting:
        url = f"http://127.0.0.1:{resetting.port}"
        assert _unreachable(url) == (
            f"The MedSnap endpoint at {url} cannot be reached: the connection failed (the "
            "network, or the endpoint, is down).")


@pytest.fixture(scope="module")
def tls_endpoint():
    folder = Path(tempfile.mkdtemp(prefix="medsnap-transport-tls-"))
    cert, key = localhost_certificate(folder)
    url = with_hospital_ca(f"sqlite:///{folder / 'endpoint.db'}", "Transport TLS Test Root")
    running = EndpointServer(url, [*LIMITS, "--ssl-certfile", str(cert), "--ssl-keyfile",
                                   str(key)], tls_ca=str(cert)).start()
    yield running
    running.stop()


def test_an_untrusted_certificate_is_said_and_the_hospital_bundle_is_trusted(
        tls_endpoint, no_proxy_settings):
    no_proxy_settings.delenv("SSL_CERT_FILE", raising=False)
    no_proxy_settings.delenv("SSL_CERT_DIR", raising=False)
    message = _unreachable(tls_endpoint.url)
    assert "security certificate was not accepted" in message and "ask IT" in message
    no_proxy_settings.setenv("SSL_CERT_FILE", tls_endpoint.tls_ca)
    transport = Transport(tls_endpoint.url)
    assert transport.call(transport.client.healthz)["status"] == "ok"


def test_https_through_the_environment_proxy_with_credentials(tls_endpoint, no_proxy_settings):
    no_proxy_settings.setenv("SSL_CERT_FILE", tls_endpoint.tls_ca)
    with ForwardProxy(credentials="nurse.station:pa:ss") as proxy:
        no_proxy_settings.setenv("HTTPS_PROXY", proxy.url("nurse.station:pa%3Ass"))
        transport = Transport(tls_endpoint.url)
        assert transport.call(transport.client.root_pem).startswith(b"-----BEGIN")
        assert [seen[:2] for seen in proxy.seen] == [("CONNECT", f"localhost:{tls_endpoint.port}")]
        no_proxy_settings.setenv("HTTPS_PROXY", proxy.url())  # no credentials: 407
        refused = _unreachable(tls_endpoint.url)
        assert "the proxy server refused or failed the connection" in refused and "407" in refused
        no_proxy_settings.setenv("NO_PROXY", "localhost")
        transport = Transport(tls_endpoint.url)
        assert transport.call(transport.client.healthz)["status"] == "ok"  # bypassed


def test_the_proxy_is_chosen_from_the_environment(no_proxy_settings):
    assert system_proxy("https://medsnap.trust.example") is None
    no_proxy_settings.setenv("ALL_PROXY", "http://all.example:3128")
    assert system_proxy("https://medsnap.trust.example") == "http://all.example:3128"
    no_proxy_settings.setenv("HTTPS_PROXY", "http://secure.example:8080")
    no_proxy_settings.setenv("HTTP_PROXY", "http://plain.example:8080")
    assert system_proxy("https://medsnap.trust.example") == "http://secure.example:8080"
    assert system_proxy("http://127.0.0.1:8767") == "http://plain.example:8080"  # as curl does
    no_proxy_settings.setenv("NO_PROXY", ".trust.example,127.0.0.1")
    assert system_proxy("https://medsnap.trust.example") is None
    assert system_proxy("http://127.0.0.1:8767") is None


def test_the_windows_internet_options_proxy_is_used_without_variables(no_proxy_settings):
    # no registry on this machine: its two readers stand in (urllib.request's own functions
    # read it on Windows); everything around them is the real code
    bypassed = []
    no_proxy_settings.setattr(transport_module, "sys", _FakeSys("win32"))
    no_proxy_settings.setattr(urllib.request, "getproxies_registry", lambda: {
        "http": "http://ward-proxy:8080", "https": "http://ward-proxy:8080"}, raising=False)
    no_proxy_settings.setattr(urllib.request, "proxy_bypass_registry",
                              lambda host: bypassed.append(host) or host.endswith(".local"),
                              raising=False)
    assert system_proxy("https://medsnap.trust.example") == "http://ward-proxy:8080"
    assert system_proxy("https://pacs.local") is None
    assert system_proxy("http://127.0.0.1:8767") is None  # the demo is never proxied
    assert bypassed == ["medsnap.trust.example", "pacs.local"]
    no_proxy_settings.setenv("HTTPS_PROXY", "http://from-variable:3128")  # variables come first
    assert system_proxy("https://medsnap.trust.example") == "http://from-variable:3128"


class _FakeSys:
    def __init__(self, platform: str):
        self.platform = platform

    def __getattr__(self, name: str):
        return getattr(sys, name)


def test_the_messaging_engine_loads_no_third_party_http_library():
    probe = ("import sys\n"
             "import medsnap.messaging.session, medsnap.messaging.sync, medsnap.messaging.inbox\n"
             "import medsnap.messaging.demo\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'httpcore', "
             "'urllib3', 'requests', 'h11', 'certifi', 'anyio'}))\n")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_no_proxy_variable_on_linux_means_direct_without_reading_urllib(no_proxy_settings):
    # the proxy readers live in urllib.request (~3 ms of every command to import); with no
    # *_proxy variable there is nothing for them to read on Linux
    no_proxy_settings.setenv("PROXY_NOTE", "http://x.example:1")  # not a *_proxy name
    probe = ("import sys\n"
             "from medsnap.messaging.transport import system_proxy\n"
             "print(system_proxy('https://medsnap.trust.example'), "
             "'urllib.request' in sys.modules)\n")
    direct = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.split()
    assert direct == (["None", "False"] if sys.platform == "linux" else direct)
    no_proxy_settings.setenv("all_proxy", "http://all.example:3128")  # lower case counts too
    named = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True).stdout.split()
    assert named == ["http://all.example:3128", "True"]
