"""The endpoint client's HTTP layer against real peers: keep-alive reuse across threads, a
connection the server closed, a stale one dropped mid-reuse, TLS trust, CONNECT proxies,
streamed uploads, and each kind of network failure typed."""

from __future__ import annotations

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


def test_answers_are_framed_and_their_headers_read_as_http_client_reads_them():
    """The pool's own header reading (not the email package): a 100 Continue skipped, a folded
    line, repeated and differently cased names, a chunked body, then a Content-Length answer
    on the same kept-alive connection."""
    answers = [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nX-Folded: one\r\n"
               b"\ttwo\r\nWarning: a\r\nwarning: b\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n0\r\n\r\n",
               b"HTTP/1.1 200 OK\r\ncontent-LENGTH: 3\r\nRetry-After:  7 \r\n\r\nabc"]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def serve() -> None:
            connection, _ = listener.accept()
            with connection:
                for answer in answers:
                    connection.recv(65536)  # one small request each
                    connection.sendall(answer)
                connection.recv(65536)

        threading.Thread(target=serve, daemon=True).start()
        pool = ConnectionPool(Origin.from_url(f"http://127.0.0.1:{listener.getsockname()[1]}"))
        first = pool.request("GET", "/a", {})
        second = pool.request("GET", "/b", {})
        pool.close()
    assert (first.status_code, first.content) == (201, b"hello")
    assert first.headers.get("x-folded") == "one two"
    assert first.headers.get_all("WARNING") == ["a", "b"]
    assert (second.status_code, second.content) == (200, b"abc")
    assert second.headers["retry-after"] == "7" and dict(second.headers)["content-LENGTH"] == "3"
    assert pool.connections_made == 1


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
