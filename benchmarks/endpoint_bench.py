"""Message exchange through the MedSnap endpoint vs NHS England's MESH sandbox, same run.

One exchange = the sender uploads a message; the recipient finds it, downloads it and
acknowledges it (MedSnap: send, inbox, download, ack — every request signed with a session key
that one Ed25519-signed request opened, as docs/PROTOCOL.md allows; --no-sessions: each
Ed25519-signed; MESH: send_message, then list_messages, retrieve_message, read, acknowledge —
HMAC auth, AUTH_MODE=full, STORE_MODE=memory). Reports exchanges per second and p50/p99
latency of one exchange for 100 KB and 5 MB messages, 1 and 16 concurrent clients, MedSnap on
SQLite (WAL, a durable fsync before every 201) and on PostgreSQL (a private cluster), and the
ratio of each to MESH ("x mesh"). "x by id" is the ratio to this benchmark's MESH exchange
before session 9, where the recipient was handed the sender's message id and skipped the
listing: one request fewer than MedSnap's, which no polling recipient can skip.

The servers run at once and every cell interleaves them round by round (SQLite, PostgreSQL,
MESH, MESH by id, then again in a rotated order), so a busy machine slows all alike; the ratio
range is over those rounds. "srv ms" is the server side's CPU time per exchange (the serving
process; for PostgreSQL plus the database server's processes), "cli ms" the client's.

    .venv/bin/pip install -e '.[bench]'     # mesh-sandbox and mesh-client
    .venv/bin/python benchmarks/endpoint_bench.py [--scale 1.0] [--rounds 5] [--no-sessions]

Run it on a quiet machine and read "srv ms" beside the ratio: for one hour of session 10 the
same code's PostgreSQL spent up to half as much CPU again per 5 MB exchange, and mesh-sandbox,
whose store is memory, did not (README, "Endpoint").
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "endpoint"))  # reuse the test harness (server, cluster)

from endpoint_harness import (  # noqa: E402
    EndpointServer, PostgresCluster, free_port, postgres_bin, postgres_cluster, with_hospital_ca)

from medsnap_endpoint import admin  # noqa: E402
from medsnap_endpoint.client import EndpointClient  # noqa: E402
from medsnap_endpoint.storage import open_database  # noqa: E402

KB, MB = 1000, 1000 * 1000
SIZES = [("100 KB", 100 * KB), ("5 MB", 5 * MB)]
CONCURRENCY = [1, 16]
# exchanges per client for (size, concurrency), split over the interleaved rounds; --scale
# (a round of 20 exchanges at x1 took 0.1-0.2 s: one busy moment on a shared machine moved a
# ratio by half; these take about 70 s in all)
ROUNDS = {(100 * KB, 1): 300, (100 * KB, 16): 30, (5 * MB, 1): 25, (5 * MB, 16): 5}
MESH_KEY = "TestKey"
MESH, MESH_BY_ID = "mesh-sandbox", "mesh-sandbox by id"
#: MedSnap's client signs with a session key (POST /v1/session), as the app may; --no-sessions:
#: every request Ed25519-signed
SESSIONS = True
Exchange = Callable[[int], None]


@dataclass
class Tally:
    """One peer's measurements in one cell, over every interleaved round."""

    count: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    round_rates: list[float] = field(default_factory=list)
    failures: int = 0  # exchanges that raised (not counted in the rate)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc), all threads."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_round(tally: Tally, exchanges: list[Exchange], rounds: int, pids: list[int]) -> None:
    """``rounds`` exchanges on each of the ``exchanges`` (one thread each)."""
    latencies: list[float] = []

    def run(exchange: Exchange) -> list[float]:
        own = []
        for n in range(rounds):
            started = time.perf_counter()
            try:
                exchange(n)
            except Exception as error:  # a peer that drops a request: counted, not fatal
                print(f"    failed exchange: {type(error).__name__}: {error}"[:160], flush=True)
                tally.failures += 1
                continue
            own.append(time.perf_counter() - started)
        return own

    server_before, client_before = cpu_seconds(pids), time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(exchanges)) as pool:
        for result in pool.map(run, exchanges):
            latencies.extend(result)
    elapsed = time.perf_counter() - started
    tally.server_cpu += cpu_seconds(pids) - server_before
    tally.client_cpu += time.process_time() - client_before
    tally.count += len(latencies)
    tally.elapsed += elapsed
    tally.latencies.extend(latencies)
    tally.round_rates.append(len(latencies) / elapsed)


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
                client = EndpointClient(server.url, sessions=SESSIONS)
                client.enrol(staff_id, code)
                client.staff_id = staff_id  # type: ignore[attr-defined]
                pair.append(client)
            pairs.append((pair[0], pair[1]))
    finally:
        database.close()
    return pairs


def medsnap_exchange(pair: tuple[EndpointClient, EndpointClient], payload: bytes) -> Exchange:
    sender, recipient = pair

    def exchange(n: int) -> None:
        sender.send(uuid.uuid4().hex, [recipient.staff_id], payload)
        for item in recipient.inbox():
            assert len(recipient.download(item["id"])) == len(payload)
            recipient.acknowledge(item["id"])

    return exchange


def start_medsnap(url: str) -> EndpointServer:
    limits = ["--requests-per-minute", "1000000", "--public-requests-per-minute", "1000000"]
    return EndpointServer(with_hospital_ca(url, "Benchmark Root"), limits).start()


def postgres_pids(cluster: PostgresCluster) -> list[int]:
    """The cluster's postmaster and every process it forked (backends, WAL writer...)."""
    postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return [postmaster, *children]


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
            with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:
                if answer.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mesh-sandbox did not start")


class MeshSandbox:
    """One mesh-sandbox process, started afresh for every cell: its memory store keeps each
    acknowledged message in the inbox it scans at every listing (a listing took 2.0 ms with
    none, 2.1 ms after 500 and 2.9 ms after 1,500, measured), so over a whole run its
    listings would slow down for a reason no real MESH has."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.clients: list = []

    def restart(self) -> None:
        self.stop()
        self.process, self.url = start_mesh()

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        self.clients = []
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process is not None else []

    def exchange(self, payload: bytes, *, lists_inbox: bool) -> Exchange:
        """send_message; then, as a recipient polling its mailbox: list_messages,
        retrieve_message, read and acknowledge each - the four steps of MedSnap's exchange.
        ``lists_inbox=False``: the recipient is handed the sender's message id instead and
        skips the listing (one request fewer than MedSnap's; this benchmark's MESH exchange
        until session 9). The clients share the sandbox's two mailboxes, so each lists only
        its own workflow id (a filter the sandbox applies as it scans the inbox)."""
        from mesh_client import MeshClient

        workflow = f"MEDSNAP_BENCH_{uuid.uuid4().hex[:8].upper()}"
        sender = MeshClient(url=self.url, mailbox="X26ABC1", password="password",
                            shared_key=MESH_KEY.encode())
        recipient = MeshClient(url=self.url, mailbox="X26ABC2", password="password",
                               shared_key=MESH_KEY.encode())
        self.clients += [sender, recipient]

        def collect(message_id: str) -> None:
            message = recipient.retrieve_message(message_id)
            assert len(message.read()) == len(payload)
            message.acknowledge()

        def exchange(n: int) -> None:
            message_id = sender.send_message("X26ABC2", payload, workflow_id=workflow)
            if not lists_inbox:
                collect(message_id)
                return
            for listed in recipient.list_messages(workflow_filter=workflow):
                collect(listed)

        return exchange


# the run ------------------------------------------------------------------------------------
@dataclass
class Peer:
    name: str
    exchanges: Callable[[bytes, int], list[Exchange]]  # (payload, clients) -> one per client
    pids: Callable[[], list[int]]  # the server side's processes
    fresh: Callable[[], None] = lambda: None  # called before each cell


def measure_cells(peers: list[Peer], scale: float, interleaved_rounds: int
                  ) -> dict[tuple[str, str, int], Tally]:
    results: dict[tuple[str, str, int], Tally] = {}
    for label, size in SIZES:
        payload = os.urandom(size)
        for workers in CONCURRENCY:
            rounds = max(1, round(ROUNDS[(size, workers)] * scale / interleaved_rounds))
            for peer in peers:
                peer.fresh()
            exchanges = {peer.name: peer.exchanges(payload, workers) for peer in peers}
            for peer in peers:
                exchanges[peer.name][0](-1)  # warm up connections once
                results[(peer.name, label, workers)] = Tally()
            for r in range(interleaved_rounds):
                for peer in peers[r % len(peers):] + peers[:r % len(peers)]:
                    run_round(results[(peer.name, label, workers)], exchanges[peer.name],
                              rounds, peer.pids())
            for peer in peers:
                tally = results[(peer.name, label, workers)]
                print(f"  {peer.name:19} {label:6} x{workers:<2} {tally.rate:8.1f}/s",
                      flush=True)
    return results


def report(results: dict[tuple[str, str, int], Tally]) -> None:
    print("\nexchange = send + find + download + acknowledge, loopback, one run, interleaved\n")
    print(f"{'peer':19} {'size':6} {'clients':>7} {'msg/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'srv ms':>7} {'cli ms':>7} {'x mesh':>7} {'rounds':>11} {'x by id':>7}")
    for (name, label, workers), tally in results.items():
        mesh = results[(MESH, label, workers)]
        by_id = results[(MESH_BY_ID, label, workers)]
        ratios = [mine / theirs for mine, theirs in zip(tally.round_rates, mesh.round_rates)]
        latencies = sorted(tally.latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"{name:19} {label:6} {workers:>7} {tally.rate:8.1f} "
              f"{statistics.median(latencies) * 1000:7.1f} {p99 * 1000:7.1f} "
              f"{tally.server_cpu / tally.count * 1000:7.2f} "
              f"{tally.client_cpu / tally.count * 1000:7.2f} {tally.rate / mesh.rate:7.2f} "
              f"{min(ratios):5.2f}-{max(ratios):<5.2f} {tally.rate / by_id.rate:7.2f}"
              + (f"  ({tally.failures} failed)" if tally.failures else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the exchanges")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per cell")
    parser.add_argument("--no-sessions", action="store_true",
                        help="sign every MedSnap request with the device key (no session key)")
    args = parser.parse_args()
    global SESSIONS
    SESSIONS = not args.no_sessions
    try:
        import mesh_client  # noqa: F401
        import mesh_sandbox  # noqa: F401
    except ImportError:
        print("Install the peers first: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="medsnap-bench-"))
    with contextlib.ExitStack() as stack:
        peers: list[Peer] = []
        servers = [("MedSnap/SQLite", f"sqlite:///{workdir / 'bench.db'}", None)]
        if postgres_bin():
            # shared_buffers: PostgreSQL's (and Debian's) default, not the tests' 32 MB, which
            # sixteen 5 MB messages in flight outgrow (5-12% more exchanges/s at 5 MB x16, three
            # A/B pairs); max_wal_size: docs/ADMIN.md's, not the default 1 GB, which a cell of
            # 5 MB messages fills twice over, a checkpoint each time (+11-12% at 5 MB x16, two
            # A/B pairs)
            cluster = stack.enter_context(postgres_cluster(shared_buffers="128MB",
                                                           max_wal_size="4GB"))
            servers.append(("MedSnap/PostgreSQL", cluster.create_database(), cluster))
        for name, url, pg in servers:
            server = start_medsnap(url)
            stack.callback(server.stop)
            pairs = medsnap_pairs(server, max(CONCURRENCY))
            pids = (lambda s=server, c=pg: [s.process.pid, *(postgres_pids(c) if c else [])])
            peers.append(Peer(name, lambda payload, n, p=pairs: [
                medsnap_exchange(p[w], payload) for w in range(n)], pids))
        for name, lists_inbox in ((MESH, True), (MESH_BY_ID, False)):
            sandbox = MeshSandbox()
            stack.callback(sandbox.stop)
            peers.append(Peer(name, lambda payload, n, m=sandbox, listing=lists_inbox: [
                m.exchange(payload, lists_inbox=listing) for _ in range(n)],
                sandbox.pids, sandbox.restart))
        report(measure_cells(peers, args.scale, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
