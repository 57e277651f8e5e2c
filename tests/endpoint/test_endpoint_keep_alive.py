"""Idle keep-alive connections outlive the clients' pool expiry.

If the server closed an idle connection at the same moment a client's pool still counted it
alive, a request sent on it got "Server disconnected without sending a response" (seen under
16 concurrent 5 MB clients). The server must therefore keep it open longer than the client does.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from medsnap_endpoint.http_pool import IDLE_SECONDS


def _healthz_on(connection: socket.socket, host: str) -> bytes:
    """One keep-alive GET /healthz on an open connection; the whole response (empty if closed)."""
    try:
        return _exchange(connection, host)
    except (ConnectionResetError, BrokenPipeError):  # the server had closed it
        return b""


def _exchange(connection: socket.socket, host: str) -> bytes:
    connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = connection.recv(65536)
        if not chunk:
            return response
        response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_an_idle_connection_is_still_open_when_the_client_pool_would_reuse_it(start_server):
    server = start_server("sqlite")
    address = urlsplit(server.url)
    client_expiry = IDLE_SECONDS  # what EndpointClient's pool keeps an idle connection
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        assert _healthz_on(connection, address.netloc).startswith(b"HTTP/1.1 200")
        time.sleep(client_expiry + 0.5)  # idle past the moment the client's pool gives it up
        again = _healthz_on(connection, address.netloc)
    assert again.startswith(b"HTTP/1.1 200"), \
        f"the server closed an idle connection within {client_expiry} s: {again[:80]!r}"


def test_the_keep_alive_is_an_option_of_serve(start_server):
    server = start_server("sqlite", "--keep-alive-seconds", "1")
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        assert _healthz_on(connection, address.netloc).startswith(b"HTTP/1.1 200")
        time.sleep(2)
        assert _healthz_on(connection, address.netloc) == b""  # closed by the server, as asked
