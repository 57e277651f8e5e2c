"""Message exchange through the MedSnap endpoint vs NHS England's MESH sandbox, same run.

One exchange = the sender uploads a message; the recipient finds it, downloads it and
acknowledges it (MedSnap: send, inbox, download, ack — every request Ed25519-signed;
MESH: send_message, retrieve_message by id, read, acknowledge — HMAC auth, AUTH_MODE=full,
STORE_MODE=memory). Reports exchanges per second and p50/p99 latency of one exchange for
100 KB and 5 MB messages, 1 and 16 concurrent clients, MedSnap on SQLite (WAL, fsync on
commit) and on PostgreSQL (a private cluster), and the ratio of each to MESH.

    .venv/bin/pip install -e '.[bench]'     # mesh-sandbox and mesh-client
    .venv/bin/python benchmarks/endpoint_bench.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "endpoint"))  # reuse the test harness (server, cluster)

from endpoint_harness import EndpointServer, free_port, postgres_bin, postgres_cluster  # noqa: E402

from medsnap_endpoint import admin  # noqa: E402
from medsnap_endpoint.client import EndpointClient  # noqa: E402
from medsnap_endpoint.storage import open_database  # noqa: E402

KB, MB = 1000, 1000 * 1000
SIZES = [("100 KB", 100 * KB), ("5 MB", 5 * MB)]
CONCURRENCY = [1, 16]
# exchanges per client for (size, concurrency); scaled by --scale
ROUNDS = {(100 * KB, 1): 60, (100 * KB, 16): 12, (5 * MB, 1): 12, (5 * MB, 16): 3}
MESH_KEY = "TestKey"


def measure(worker_count: int, rounds: int, exchange_for: Callable[[int], Callable[[int], None]]
            ) -> tuple[float, float, float]:
    """Run ``rounds`` exchanges on each of ``worker_count`` threads; (per second, p50, p99)."""
    exchanges = [exchange_for(w) for w in range(worker_count)]
    exchanges[0](-1)  # warm up connections once
    latencies: list[float] = []

    def run(worker: int) -> list[float]:
        own = []
        for n in range(rounds):
            started = time.perf_counter()
            exchanges[worker](n)
            own.append(time.perf_counter() - started)
        return own

    started = time.perf_counter()
    with ThreadPoolExecutor(worker_count) as pool:
        for result in pool.map(run, range(worker_count)):
            latencies.extend(result)
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99


# MedSnap ------------------------------------------------------------------------------------
def medsnap_pairs(server: EndpointServer, count: int) -> list[tuple[EndpointClient,
                                                                   EndpointClient]]:
    database = open_database(server.database_url)
    pairs = []
    try:
        for _ in range(count):
            pair = []
            for role in ("sender", "recipient"):
                staff_id = f"B{uuid.uuid4().hex[:10]}"
                code, _ = admin.add_clinician(database, staff_id=staff_id,
                                              email=f"{staff_id}@bench.example",
                                              display_name=f"Bench {role}")
                client = EndpointClient(server.url)
                client.enrol(staff_id, code)
                client.staff_id = staff_id  # type: ignore[attr-defined]
                pair.append(client)
            pairs.append((pair[0], pair[1]))
    finally:
        database.close()
    return pairs


def medsnap_exchange(pair: tuple[EndpointClient, EndpointClient], payload: bytes
                     ) -> Callable[[int], None]:
    sender, recipient = pair

    def exchange(n: int) -> None:
        sender.send(uuid.uuid4().hex, [recipient.staff_id], payload)
        for item in recipient.inbox():
            assert len(recipient.download(item["id"])) == len(payload)
            recipient.acknowledge(item["id"])

    return exchange


def start_medsnap(url: str) -> EndpointServer:
    database = open_database(url)
    try:
        admin.init_ca(database, "Benchmark Root")
    finally:
        database.close()
    return EndpointServer(url, ["--requests-per-minute", "1000000",
                                "--public-requests-per-minute", "1000000"]).start()


# MESH ---------------------------------------------------------------------------------------
def start_mesh() -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, AUTH_MODE="full", STORE_MODE="memory", SHARED_KEY=MESH_KEY)
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "mesh_sandbox.api:app",
                                "--port", str(port), "--log-level", "warning"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("mesh-sandbox did not start")


OPEN_MESH_CLIENTS: list = []  # closed at the end of the run


def mesh_exchange(url: str, payload: bytes) -> Callable[[int], None]:
    from mesh_client import MeshClient

    sender = MeshClient(url=url, mailbox="X26ABC1", password="password",
                        shared_key=MESH_KEY.encode())
    recipient = MeshClient(url=url, mailbox="X26ABC2", password="password",
                           shared_key=MESH_KEY.encode())
    OPEN_MESH_CLIENTS.extend([sender, recipient])

    def exchange(n: int) -> None:
        message_id = sender.send_message("X26ABC2", payload, workflow_id="TEST_WORKFLOW")
        message = recipient.retrieve_message(message_id)
        assert len(message.read()) == len(payload)
        message.acknowledge()

    return exchange


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the rounds")
    args = parser.parse_args()
    try:
        import mesh_client  # noqa: F401
        import mesh_sandbox  # noqa: F401
    except ImportError:
        print("Install the peers first: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2

    results: dict[tuple[str, str, int], tuple[float, float, float]] = {}
    workdir = Path(tempfile.mkdtemp(prefix="medsnap-bench-"))
    backends: list[tuple[str, Callable[[], str]]] = [
        ("MedSnap/SQLite", lambda: f"sqlite:///{workdir / 'bench.db'}")]
    cluster_context = postgres_cluster() if postgres_bin() else None
    cluster = cluster_context.__enter__() if cluster_context else None
    if cluster:
        backends.append(("MedSnap/PostgreSQL", cluster.create_database))
    try:
        for name, make_url in backends:
            server = start_medsnap(make_url())
            try:
                pairs = medsnap_pairs(server, max(CONCURRENCY))
                for label, size in SIZES:
                    payload = os.urandom(size)
                    for workers in CONCURRENCY:
                        rounds = max(1, int(ROUNDS[(size, workers)] * args.scale))
                        results[(name, label, workers)] = measure(
                            workers, rounds, lambda w: medsnap_exchange(pairs[w], payload))
                        print(f"  {name:19} {label:6} x{workers:<2} "
                              f"{results[(name, label, workers)][0]:8.1f}/s", flush=True)
            finally:
                server.stop()
        mesh, mesh_url = start_mesh()
        try:
            for label, size in SIZES:
                payload = os.urandom(size)
                for workers in CONCURRENCY:
                    rounds = max(1, int(ROUNDS[(size, workers)] * args.scale))
                    results[("mesh-sandbox", label, workers)] = measure(
                        workers, rounds, lambda w: mesh_exchange(mesh_url, payload))
                    print(f"  {'mesh-sandbox':19} {label:6} x{workers:<2} "
                          f"{results[('mesh-sandbox', label, workers)][0]:8.1f}/s", flush=True)
        finally:
            for client in OPEN_MESH_CLIENTS:
                client.close()
            mesh.terminate()
            mesh.wait(10)
    finally:
        if cluster_context:
            cluster_context.__exit__(None, None, None)

    print("\nexchange = send + find + download + acknowledge, loopback, one run\n")
    print(f"{'peer':19} {'size':6} {'clients':>7} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'x mesh':>7}")
    for (name, label, workers), (rate, p50, p99) in results.items():
        mesh_rate = results[("mesh-sandbox", label, workers)][0]
        print(f"{name:19} {label:6} {workers:>7} {rate:8.1f} {p50 * 1000:8.1f} "
              f"{p99 * 1000:8.1f} {rate / mesh_rate:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
