"""The endpoint client's HTTP layer against real peers: keep-alive reuse across threads, a
connection the server closed, a stale one dropped mid-reuse, TLS trust, CONNECT proxies,
streamed uploads, and each kind of network failure typed."""

from __future__ import annotations

import http.client
import queue
import socket
import tempfile
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from endpoint_harness import EndpointServer
from endpoint_support import GENEROUS_LIMITS, _with_ca, enrolment_factory
from http_peers import (
    DroppingRelay, ForwardProxy, ResettingServer, SilentServer, localhost_certificate)

from medsnap_endpoint.client import EndpointClient
from medsnap_endpoint.http_pool import (
    ConnectionDropped, ConnectionPool, ConnectionRefused, ConnectionTimedOut, Origin,
    ProxyFailure, TlsFailure)
from medsnap_endpoint.http_response import MalformedAnswer


@pytest.fixture(scope="module")
def plain_server():
    folder = Path(tempfile.mkdtemp(prefix="medsnap-client-http-"))
    running = EndpointServer(_with_ca(f"sqlite:///{folder / 'e.db'}"),
                             [*GENEROUS_LIMITS, "--keep-alive-seconds", "1"]).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def pair(plain_server):
    make = enrolment_factory(plain_server)
    yield make("Pat Sender"), make("Robin Reader")


def test_one_connection_serves_many_requests_and_threads_share_the_pool(pair):
    sender, reader = pair
    sender.inbox()
    made = sender.pool.connections_made
    for n in range(10):
        sender.send(f"keep-{n}", [reader.staff_id], b"x" * 1000)
    assert sender.pool.connections_made == made  # every upload on the kept connection

    def list_inbox(_: int) -> int:
        return len(reader.inbox())

    with ThreadPoolExecutor(6) as pool:
        counts = list(pool.map(list_inbox, range(60)))
    assert set(counts) == {10}
    assert reader.pool.connections_made <= 6 + 1  # at most one per thread at once, reused
    for item in reader.inbox():
        assert reader.download(item["id"]) == b"x" * 1000
        reader.acknowledge(item["id"])


def test_a_connection_the_server_closed_while_idle_is_not_reused(pair):
    _, reader = pair
    reader.inbox()
    made = reader.pool.connections_made
    time.sleep(1.6)  # the server (--keep-alive-seconds 1) has closed the idle connection
    answer = reader.send_request(reader.signed_request("GET", "/v1/inbox"))  # never retried
    assert answer.status_code == 200
    assert reader.pool.connections_made == made + 1


def test_a_kept_connection_dropped_on_reuse_is_retried_once_freshly_signed(plain_server, pair):
    _, reader = pair
    with DroppingRelay(plain_server.port) as relay:
        through = EndpointClient(f"http://127.0.0.1:{relay.port}", reader.keys)
        assert through.inbox() == []
        assert through.inbox() == []  # dropped on the kept connection, sent again on a new one
        assert relay.connections == 2
        first, dropped, again = relay.nonces
        assert dropped != again  # a fresh signature, not the dropped one replayed
        # a request sent as prepared is never repeated behind the caller's back
        with pytest.raises(ConnectionDropped) as stale:
            through.send_request(through.signed_request("GET", "/v1/inbox"))
        assert stale.value.stale
        through.close()


def test_a_file_upload_is_streamed_not_read_whole(tmp_path, pair):
    sender, reader = pair
    ciphertext = tmp_path / "letter.age"
    ciphertext.write_bytes(bytes(range(256)) * 20_000)  # 5.1 MB
    tracemalloc.start()
    try:
        answer = sender.send("streamed", [reader.staff_id], ciphertext)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer["size"] == ciphertext.stat().st_size
    assert peak < 1_500_000, f"{peak} bytes held while sending a 5 MB file"
    [item] = [m for m in reader.inbox() if m["message_id"] == "streamed"]
    assert reader.download(item["id"]) == ciphertext.read_bytes()
    reader.acknowledge(item["id"])


class ThenClose(bytes):
    """An answer after which the canned server closes the connection."""


class CannedServer:
    """A raw socket server: each request, on whichever connection, gets the next answer as
    written, byte for byte; ``closed_by_client`` receives each connection the client closed."""

    def __init__(self, answers: list[bytes]):
        self.answers = list(answers)
        self.connections = 0
        self.closed_by_client: queue.Queue[int] = queue.Queue()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def __enter__(self) -> CannedServer:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # the listener closed: the test is over
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(connection, self.connections - 1),
                             daemon=True).start()

    def _serve(self, connection: socket.socket, index: int) -> None:
        with connection:
            pending = b""
            try:
                while True:
                    while b"\r\n\r\n" not in pending:  # requests here have no body
                        received = connection.recv(65536)
                        if not received:
                            self.closed_by_client.put(index)
                            return
                        pending += received
                    pending = pending.partition(b"\r\n\r\n")[2]
                    answer = self.answers.pop(0)
                    connection.sendall(answer)
                    if isinstance(answer, ThenClose):
                        return
            except (ConnectionResetError, BrokenPipeError):  # closed with our bytes unread
                self.closed_by_client.put(index)


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
# Each is an answer a lenient reader (the one before http_response) framed one way and
# http.client (the email package), or a proxy, another: refused, whatever the bytes after it.
TWO_WAYS = {
    "space before the colon": b"Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    "first line folded": b" Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    "first line tab-folded": b"\tX-Note: y\r\nContent-Length: 2\r\n\r\nok",
    "no colon": b"garbage\r\nContent-Length: 2\r\n\r\nok",
    "empty name": b": y\r\nContent-Length: 2\r\n\r\nok",
    "space in the name": b"X Note: y\r\nContent-Length: 2\r\n\r\nok",
    "not a token": b"X/Note: y\r\nContent-Length: 2\r\n\r\nok",
    "not ascii": b"X-N\xe9: y\r\nContent-Length: 2\r\n\r\nok",
    "bare CR": b"X-Note: a\rTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\nok",
    "NUL": b"X-Note: a\x00b\r\nContent-Length: 2\r\n\r\nok",
    "chunked and a length": b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
    "a length and chunked": b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "chunked twice": b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "gzip then chunked": b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    "lengths that differ": b"Content-Length: 2\r\nContent-Length: 7\r\n\r\nok",
    "a list that differs": b"Content-Length: 2, 7\r\n\r\nok",
    "signed length": b"Content-Length: +2\r\n\r\nok",
    "underscored length": b"Content-Length: 0_2\r\n\r\nok",
    "endless length": b"Content-Length: 9999999999999999999\r\n\r\nok",
}
REFUSED = {name: (b"HTTP/1.1 200 OK\r\n" + answer, MalformedAnswer)
           for name, answer in TWO_WAYS.items()} | {
    "chunked in HTTP/1.0": (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: "
                            b"chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", MalformedAnswer),
    "101 never asked for": (b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
                            b"Upgrade: websocket\r\n\r\n", MalformedAnswer),
    "interim answer malformed": (b"HTTP/1.1 103 Early Hints\r\nLink </a.css>\r\n\r\n" + OK,
                                 MalformedAnswer),
    "too many headers": (b"HTTP/1.1 200 OK\r\n" + b"X-N: 1\r\n" * 101 + b"\r\n",
                         http.client.HTTPException),
    "line too long": (b"HTTP/1.1 200 OK\r\nX-N: " + b"n" * 65536 + b"\r\n\r\n",
                      http.client.LineTooLong),
}


@pytest.mark.parametrize("answer, refusal", REFUSED.values(), ids=REFUSED.keys())
def test_an_answer_that_could_be_framed_two_ways_is_refused_and_its_connection_dropped(
        answer, refusal):
    with CannedServer([OK, answer, OK]) as server:
        pool = ConnectionPool(Origin.from_url(server.url), timeout=3)
        try:
            assert pool.request("GET", "/first", {}).content == b"ok"
            with pytest.raises(ConnectionDropped) as refused:  # on the kept connection
                pool.request("GET", "/second", {})
            assert type(refused.value.__cause__) is refusal
            assert not refused.value.stale  # answered: never sent again behind the caller
            assert server.closed_by_client.get(timeout=3) == 0
            assert pool.request("GET", "/third", {}).content == b"ok"
            assert pool.connections_made == server.connections == 2
        finally:
            pool.close()


def test_an_answer_whose_headers_the_connection_cut_short_is_refused():
    with CannedServer([ThenClose(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")]) as server:
        pool = ConnectionPool(Origin.from_url(server.url), timeout=3)
        with pytest.raises(ConnectionDropped) as refused:
            pool.request("GET", "/", {})
        assert isinstance(refused.value.__cause__, MalformedAnswer)
        pool.close()


def test_well_framed_answers_are_read_and_their_connection_kept():
    """Interim answers skipped, a folded line, repeated and differently cased names, chunked
    with a trailer, a repeated equal length, bodiless 204/304/HEAD, HTTP/1.0 kept alive; then
    one ended by closing, and an HTTP/1.0 one without keep-alive."""
    kept = [
        ("GET", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n"
                b"\r\nHTTP/1.1 201 Created\r\nX-Folded: one\r\n\ttwo \r\nWarning: a\r\nwarning: b"
                b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n",
         201, b"hello"),
        ("GET", b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 3\r\nContent-Length: 3\r\n"
                b"Retry-After:  7 \r\n\r\nabc", 200, b"abc"),
        ("GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", 200, b""),
        ("GET", b"HTTP/1.1 204 No Content\r\n\r\n", 204, b""),
        ("GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", 304, b""),
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 200, b""),
        ("GET", b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
         200, b"ok"),
    ]
    closing = [ThenClose(b"HTTP/1.1 200 OK\r\nX-Body: to the end\r\n\r\nto the end"),
               b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", OK]
    with CannedServer([answer for _, answer, _, _ in kept] + closing) as server:
        pool = ConnectionPool(Origin.from_url(server.url), timeout=3)
        answers = [pool.request(method, "/", {}) for method, _, _, _ in kept]
        assert [(a.status_code, a.content) for a in answers] == [(s, c) for *_, s, c in kept]
        assert pool.connections_made == 1
        assert answers[0].headers.get("x-folded") == "one two"
        assert answers[0].headers.get_all("WARNING") == ["a", "b"]
        assert answers[1].headers["retry-after"] == "7"
        assert dict(answers[1].headers)["content-LENGTH"] == "3"
        assert [pool.request("GET", "/", {}).content for _ in closing] == [
            b"to the end", b"ok", b"ok"]
        assert pool.connections_made == server.connections == 3
        pool.close()


def test_network_failures_are_typed():
    with SilentServer() as silent:
        with pytest.raises(ConnectionTimedOut):
            EndpointClient(f"http://127.0.0.1:{silent.port}", timeout=0.5).healthz()
    with ResettingServer() as resetting:
        with pytest.raises(ConnectionDropped) as reset:
            EndpointClient(f"http://127.0.0.1:{resetting.port}").healthz()
        assert not reset.value.stale  # a fresh connection: nothing to retry
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(ConnectionRefused):
        EndpointClient(f"http://127.0.0.1:{port}").healthz()
    with pytest.raises(ConnectionRefused):
        EndpointClient("http://no-such-host.invalid").healthz()


@pytest.fixture(scope="module")
def tls_server():
    folder = Path(tempfile.mkdtemp(prefix="medsnap-client-tls-"))
    cert, key = localhost_certificate(folder)
    running = EndpointServer(_with_ca(f"sqlite:///{folder / 'e.db'}"),
                             [*GENEROUS_LIMITS, "--ssl-certfile", str(cert), "--ssl-keyfile",
                              str(key)], tls_ca=str(cert)).start()
    yield running
    running.stop()


def test_tls_trusts_the_system_store_or_the_hospital_bundle(tls_server, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(TlsFailure) as untrusted:  # not in the system store
        EndpointClient(tls_server.url).healthz()
    assert "certificate" in untrusted.value.message
    assert EndpointClient(tls_server.url, verify=tls_server.tls_ca).healthz()["status"] == "ok"
    monkeypatch.setenv("SSL_CERT_FILE", tls_server.tls_ca)  # as IT may point OpenSSL at it
    assert EndpointClient(tls_server.url).healthz()["status"] == "ok"
    wrong_name = tls_server.url.replace("localhost", "127.0.0.1")  # not the certificate's name
    with pytest.raises(TlsFailure):
        EndpointClient(wrong_name, verify=tls_server.tls_ca).healthz()


def test_https_goes_through_a_connect_tunnel_with_the_proxy_credentials(tls_server):
    with ForwardProxy(credentials="ward:s3cret pass") as proxy:
        client = EndpointClient(tls_server.url, verify=tls_server.tls_ca,
                                proxy=proxy.url("ward:s3cret%20pass"))
        assert client.healthz()["status"] == "ok"
        assert client.root_pem().startswith(b"-----BEGIN CERTIFICATE")
        connects = [seen for seen in proxy.seen if seen[0] == "CONNECT"]
        assert len(connects) == 1 and connects[0][1] == f"localhost:{tls_server.port}"
        with pytest.raises(ProxyFailure) as refused:
            EndpointClient(tls_server.url, verify=tls_server.tls_ca,
                           proxy=proxy.url()).healthz()
        assert "407" in refused.value.message


def test_plain_http_through_a_proxy_carries_its_credentials(pair):
    sender, _ = pair
    with ForwardProxy(credentials="ward:pw") as proxy:
        client = EndpointClient(sender.base_url, sender.keys, proxy=proxy.url("ward:pw"))
        assert isinstance(client.inbox(), list)  # signed for the endpoint, forwarded as is
        method, target, _ = proxy.seen[-1]
        assert (method, target) == ("GET", f"{sender.base_url}/v1/inbox")
    with pytest.raises(ProxyFailure):
        EndpointClient(sender.base_url, proxy="socks5://127.0.0.1:1080").healthz()


def test_concurrent_uploads_on_one_client_are_all_stored(pair):
    sender, reader = pair
    errors: list[BaseException] = []

    def upload(n: int) -> None:
        try:
            sender.send(f"parallel-{n}", [reader.staff_id], bytes([n]) * 50_000)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    stored = {m["message_id"]: m for m in reader.inbox() if m["message_id"].startswith("par")}
    assert len(stored) == 8
    for n in range(8):
        assert reader.download(stored[f"parallel-{n}"]["id"]) == bytes([n]) * 50_000
        reader.acknowledge(stored[f"parallel-{n}"]["id"])
