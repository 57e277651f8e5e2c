"""Real network peers for the HTTP client tests: a forward proxy (CONNECT tunnels and
absolute-form requests, optional Basic credentials), a relay that drops a kept-alive
connection the way a server closing it idle does, a server that never answers, one that resets,
and a TLS certificate for localhost made by openssl."""

from __future__ import annotations

import base64
import contextlib
import http.client
import http.server
import re
import select
import socket
import socketserver
import struct
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit


def localhost_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost (the test's own CA): (certificate, key)."""
    key, cert = folder / "tls.key", folder / "tls.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    return cert, key


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Relay bytes both ways until either side closes."""
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], 30)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (b if sock is a else a).sendall(data)


class _Served:
    """A socketserver peer served on a daemon thread while in a ``with`` block."""

    server: socketserver.BaseServer

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class ForwardProxy(_Served):
    """An HTTP forward proxy; ``seen`` lists (method, target, credentials sent or None)."""

    def __init__(self, credentials: str | None = None):
        self.seen: list[tuple[str, str, str | None]] = []
        outer = self
        expected = ("Basic " + base64.b64encode(credentials.encode()).decode()
                    if credentials else None)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _admitted(self) -> bool:
                given = self.headers.get("Proxy-Authorization")
                outer.seen.append((self.command, self.path, given))
                if expected and given != expected:
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="ward"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return False
                return True

            def do_CONNECT(self) -> None:
                if not self._admitted():
                    return
                host, port = self.path.rsplit(":", 1)
                with socket.create_connection((host, int(port)), timeout=10) as upstream:
                    self.send_response(200)
                    self.end_headers()
                    _pipe(self.connection, upstream)
                self.close_connection = True

            def _forward(self) -> None:
                if not self._admitted():
                    return
                target = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("proxy-authorization", "proxy-connection")}
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                upstream.request(self.command, target.path + (f"?{target.query}"
                                                              if target.query else ""),
                                 body, headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def url(self, credentials: str | None = None) -> str:
        return f"http://{credentials + '@' if credentials else ''}127.0.0.1:" \
               f"{self.server.server_address[1]}"


class DroppingRelay(_Served):
    """Forwards the first request of each connection to ``upstream``; when a second request
    comes on the same connection, closes it unanswered (a server closing an idle keep-alive
    connection just as the client reuses it). ``nonces`` lists every request's nonce."""

    def __init__(self, upstream_port: int):
        self.nonces: list[str] = []
        self.connections = 0
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer.connections += 1
                client = self.request
                with socket.create_connection(("127.0.0.1", upstream_port)) as upstream:
                    answered = False
                    while True:
                        readable, _, _ = select.select([client, upstream], [], [], 30)
                        if not readable:
                            return
                        if client in readable:
                            data = client.recv(65536)
                            outer.nonces += re.findall(rb"X-MedSnap-Nonce: ([\w-]+)", data)
                            if not data or answered:
                                return  # the second request: dropped, never forwarded
                            upstream.sendall(data)
                        if upstream in readable:
                            data = upstream.recv(65536)
                            if not data:
                                return
                            answered = True
                            client.sendall(data)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]


def _listening() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock, sock.getsockname()[1]


def _stop_listening(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread waiting in accept
    sock.close()


class SilentServer:
    """Accepts connections (the kernel's backlog does) and never answers."""

    def __enter__(self) -> SilentServer:
        self.sock, self.port = _listening()
        return self

    def __exit__(self, *exc: object) -> None:
        _stop_listening(self.sock)


class ResettingServer:
    """Reads a request, then resets the connection (RST, as a crashed peer or a firewall)."""

    def __enter__(self) -> ResettingServer:
        self.sock, self.port = _listening()
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()

    def __exit__(self, *exc: object) -> None:
        _stop_listening(self.sock)
