"""The endpoint client's HTTP layer against httpx and urllib3: client CPU per exchange and
import time, same run.

One exchange = upload a message, list the inbox, download it (SHA-256 checked), acknowledge:
four Ed25519-signed requests on one keep-alive connection per client, against one real
`medsnap-endpoint serve` (SQLite). The three clients sign alike (one shared
``request_signing.signature_headers``) and differ only in the HTTP library:

* medsnap: ``medsnap_endpoint.client.EndpointClient`` (the standard library's http.client)
* httpx:   ``httpx.Client`` (what the client used until 2026-11-30)
* urllib3: ``urllib3.HTTPConnectionPool``

Rounds interleave the three (rotated order), so machine load hits all alike. "cpu ms" is this
process's CPU time per exchange (the server runs in its own process). Import: a fresh
interpreter that has already loaded the rest of a MedSnap command's modules, then the signing
client and the HTTP library, ready to send (min and median over --imports runs).

    .venv/bin/python benchmarks/http_client_bench.py [--rounds 5] [--imports 15]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "endpoint"))  # reuse the test harness (server)

from endpoint_harness import EndpointServer, with_hospital_ca  # noqa: E402

from medsnap_endpoint import admin  # noqa: E402
from medsnap_endpoint import protocol as p  # noqa: E402
from medsnap_endpoint.client import DeviceKeys, EndpointClient  # noqa: E402
from medsnap_endpoint.request_signing import signature_headers  # noqa: E402
from medsnap_endpoint.storage import open_database  # noqa: E402

SIZES = [("100 KB", 100_000, 40), ("5 MB", 5_000_000, 4)]  # (label, bytes, exchanges a round)
OCTETS = {"Content-Type": "application/octet-stream"}
Exchange = Callable[[bytes], None]


class LibraryClient:
    """The same signed calls as EndpointClient, on httpx or urllib3."""

    def __init__(self, library: str, url: str, keys: DeviceKeys):
        self.keys, self.host = keys, url.split("://", 1)[1]
        if library == "httpx":
            import httpx

            client = httpx.Client(base_url=url, trust_env=False)
            self._send = lambda method, target, headers, body: _httpx_send(
                client, method, target, headers, body)
        else:
            import urllib3

            host, port = self.host.rsplit(":", 1)
            pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1)
            self._send = lambda method, target, headers, body: _urllib3_send(
                pool, method, target, headers, body)

    def call(self, method: str, path: str, params: list | None = None, body: bytes = b"",
             headers: dict | None = None) -> tuple[int, dict, bytes]:
        query = urlencode(params, quote_via=quote) if params else ""
        signed = signature_headers(self.keys.signing, self.keys.key_id, method, path, query,
                                   self.host, hashlib.sha256(body).hexdigest())
        status, answer_headers, content = self._send(
            method, path + (f"?{query}" if query else ""), {**(headers or {}), **signed}, body)
        assert status < 400, (status, content[:200])
        return status, answer_headers, content


def _httpx_send(client, method, target, headers, body):
    response = client.request(method, target, headers=headers, content=body)
    return response.status_code, response.headers, response.content


def _urllib3_send(pool, method, target, headers, body):
    response = pool.urlopen(method, target, body=body or None, headers=headers, retries=False)
    return response.status, response.headers, response.data


def library_exchange(sender: LibraryClient, reader: LibraryClient, reader_id: str) -> Exchange:
    import json

    def exchange(payload: bytes) -> None:
        sender.call("POST", "/v1/messages", [("message_id", uuid.uuid4().hex),
                                              ("to", reader_id)], payload, OCTETS)
        for item in json.loads(reader.call("GET", "/v1/inbox")[2])["messages"]:
            _, headers, content = reader.call("GET", f"/v1/inbox/{item['id']}")
            assert hashlib.sha256(content).hexdigest() == headers[p.HEADER_CONTENT_SHA256]
            reader.call("POST", f"/v1/inbox/{item['id']}/ack")

    return exchange


def medsnap_exchange(sender: EndpointClient, reader: EndpointClient, reader_id: str) -> Exchange:
    def exchange(payload: bytes) -> None:
        sender.send(uuid.uuid4().hex, [reader_id], payload)
        for item in reader.inbox():
            reader.download(item["id"])  # checks the SHA-256 header
            reader.acknowledge(item["id"])

    return exchange


def enrolled(server: EndpointServer) -> tuple[str, EndpointClient]:
    database = open_database(server.database_url)
    try:
        staff_id = f"H{uuid.uuid4().hex[:10]}"
        code, _ = admin.add_clinician(database, staff_id=staff_id,
                                      email=f"{staff_id}@bench.example", display_name=staff_id)
    finally:
        database.close()
    client = EndpointClient(server.url)
    client.enrol(staff_id, code)
    return staff_id, client


def measure_cpu(exchanges: dict[str, Exchange], rounds: int) -> None:
    print(f"{'client':9} {'size':6} {'cpu ms/exchange':>16} {'rounds (min-max)':>17} "
          f"{'x medsnap':>9}")
    for label, size, count in SIZES:
        payload = os.urandom(size)
        per_round: dict[str, list[float]] = {name: [] for name in exchanges}
        for exchange in exchanges.values():
            exchange(payload)  # connections open, caches warm
        names = list(exchanges)
        for r in range(rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                started = time.process_time()
                for _ in range(count):
                    exchanges[name](payload)
                per_round[name].append((time.process_time() - started) / count * 1000)
        ours = statistics.median(per_round["medsnap"])
        for name, values in per_round.items():
            median = statistics.median(values)
            print(f"{name:9} {label:6} {median:16.2f} {min(values):8.2f}-{max(values):<8.2f}"
                  f" {median / ours:9.2f}", flush=True)


IMPORT_PROBE = """
import sys, time
sys.modules.setdefault("httpx._main", None)  # httpx's own command line, as MedSnap skipped it
import argparse, json, sqlite3, threading, medsnap.crypto.letter, medsnap.messaging.outbox
started = time.perf_counter()
{code}
print(time.perf_counter() - started)
"""
IMPORTS = {
    "medsnap": "import medsnap_endpoint.client as c; c.EndpointClient('http://127.0.0.1:9')",
    "httpx": "import medsnap_endpoint.request_signing, httpx; httpx.Client()",
    "urllib3": "import medsnap_endpoint.request_signing, urllib3; urllib3.PoolManager()",
}


def measure_imports(runs: int) -> None:
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(runs):
        for name, code in IMPORTS.items():
            result = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(code=code)],
                                    capture_output=True, text=True, check=True)
            times[name].append(float(result.stdout) * 1000)
    ours = statistics.median(times["medsnap"])
    print(f"\n{'client':9} {'import ms (min)':>15} {'median':>8} {'x medsnap':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:9} {min(values):15.1f} {median:8.1f} {median / ours:9.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--imports", type=int, default=15)
    args = parser.parse_args()
    try:
        import httpx  # noqa: F401
        import urllib3  # noqa: F401
    except ImportError:
        print("Install the test extra first: .venv/bin/pip install -e '.[test]'",
              file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="medsnap-http-bench-"))
    server = EndpointServer(with_hospital_ca(f"sqlite:///{folder / 'bench.db'}", "Bench Root"),
                            ["--requests-per-minute", "1000000",
                             "--public-requests-per-minute", "1000000"]).start()
    try:
        (_, sender), (reader_id, reader) = enrolled(server), enrolled(server)
        assert sender.keys and reader.keys
        exchanges = {"medsnap": medsnap_exchange(sender, reader, reader_id)}
        for library in ("httpx", "urllib3"):
            exchanges[library] = library_exchange(
                LibraryClient(library, server.url, sender.keys),
                LibraryClient(library, server.url, reader.keys), reader_id)
        print(f"loopback, one keep-alive connection per client, {args.rounds} interleaved "
              f"rounds; load {os.getloadavg()[0]:.1f}\n")
        measure_cpu(exchanges, args.rounds)
        measure_imports(args.imports)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
