"""Where the engine's own time goes: the messaging benchmark's in-process exchange (keys
unlocked, as the window runs it), with a timer around each phase, or under cProfile.

    .venv/bin/python benchmarks/engine_phases.py [--rounds 8] [--profile [PATTERN]]
        [--megabytes 5] [--before DIR]

Same set-up as benchmarks/messaging_bench.py (a real endpoint process on loopback, two enrolled
clinicians, a 5 MB random-pixel PNG); each round is its ``engine_round``: decode, paint and
re-encode clean (verified), seal, queue, send, fetch (CRL, list, download, store, open,
acknowledge). Prints the median of each phase and of the whole round; ``--profile`` prints
cProfile's top functions by cumulative and own time over all rounds instead.

``--before DIR``: an A/B run instead. Two child processes, one importing the ``medsnap`` in
DIR/desktop (``git archive COMMIT desktop | tar -x -C DIR``), one this checkout's, each with
its own pair of clinicians signed in, run engine rounds in turn against the same endpoint;
prints each side's p50/p99 and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from messaging_bench import (PASSPHRASE, add_and_enrol, engine_round, make_image,  # noqa: E402
                             percentile, start_server)

from medsnap.crypto.keystore import KeyStore  # noqa: E402
from medsnap.messaging.profile import Workstation  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "messaging"))
from file_keyring import FileKeyring  # noqa: E402

PHASES = [  # (module, object, attribute): timed each time it is called, on any thread
    ("medsnap.exporting", None, "load_for_export"),
    ("medsnap.render", None, "render_to_pil"),
    ("medsnap.exporting", None, "encode_clean"),
    ("medsnap.imaging.encoding", None, "encode_png"),
    ("medsnap.imaging.encoding", None, "verify_clean"),
    ("medsnap.messaging.compose", None, "seal"),
    ("medsnap.messaging.outbox", "Outbox", "enqueue"),
    ("medsnap.messaging.transport", "Transport", "upload"),
    ("medsnap.messaging.outbox", "Outbox", "mark_sent"),
    ("medsnap.messaging.audit", "AuditLog", "record"),
    ("medsnap.messaging.sync", "SyncWorker", "fetch_states"),
    ("medsnap.messaging.sync", "SyncWorker", "apply_states"),
    ("medsnap.messaging.sync", "SyncWorker", "delete_expired"),
    ("medsnap.messaging.session", "Session", "crl"),
    ("medsnap.messaging.inbox", "Inbox", "__init__"),
    ("medsnap.messaging.outbox", "Outbox", "__init__"),
    ("medsnap_endpoint.client", "EndpointClient", "inbox"),
    ("medsnap_endpoint.client", "EndpointClient", "download"),
    ("medsnap.messaging.inbox", None, "store_while_opening"),
    ("medsnap.messaging.inbox", None, "open_letter"),
    ("medsnap_endpoint.client", "EndpointClient", "acknowledge"),
    ("medsnap.messaging.inbox", "Inbox", "_keep"),
    ("medsnap.messaging.inbox", "Inbox", "_mark_revoked_senders"),
    ("medsnap.messaging.inbox", "Inbox", "send_pending_receipts"),
]

spent: dict[str, list[float]] = defaultdict(list)


def _timed(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name].append(time.perf_counter() - start)
    return wrapper


def install_timers() -> None:
    import importlib

    for module_name, owner, attribute in PHASES:
        module = importlib.import_module(module_name)
        holder = getattr(module, owner) if owner else module
        setattr(holder, attribute, _timed(f"{owner or module_name}.{attribute}",
                                          getattr(holder, attribute)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--before", type=Path, metavar="DIR")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--profile", nargs="?", const="", metavar="PATTERN",
                        help="cProfile instead of timers (PATTERN: only functions matching)")
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    work = Path(tempfile.mkdtemp(prefix="medsnap-engine-phases-"))
    server = start_server(work)
    try:
        workstation = Workstation(work / "home")
        keystore = KeyStore(keyring_backend=FileKeyring(work / "keyring.json"))
        sender = add_and_enrol(server, workstation, keystore, "Sender")
        reader = add_and_enrol(server, workstation, keystore, "Reader")
        image = work / "image.png"
        make_image(image, args.megabytes)
        if args.before:
            pairs = [(add_and_enrol(server, workstation, keystore, f"Sender{side}"),
                      add_and_enrol(server, workstation, keystore, f"Reader{side}"))
                     for side in ("before", "after")]
            return a_b(args.before.resolve(), pairs, work, image, args.rounds)
        engine_round(sender, reader, image)  # imports, caches
        print(f"load {os.getloadavg()[0]:.1f}, {args.rounds} rounds")
        if args.profile is not None:
            profiler = cProfile.Profile()
            with profiler:
                for _ in range(args.rounds):
                    engine_round(sender, reader, image)
            stats = pstats.Stats(profiler)
            restrict = [args.profile] if args.profile else []
            stats.sort_stats("cumulative").print_stats(*restrict, 45)
            stats.sort_stats("tottime").print_stats(*restrict, 30)
            return 0
        install_timers()
        rounds = []
        for _ in range(args.rounds):
            spent.clear()
            rounds.append(engine_round(sender, reader, image))
            for name, values in spent.items():
                per_round[name].append(sum(values))
                calls[name] = len(values)
        for name, values in per_round.items():
            print(f"{name:<48} {statistics.median(values) * 1000:7.1f} ms  x{calls[name]}")
        print(f"{'round':<48} {statistics.median(rounds) * 1000:7.1f} ms "
              f"(min {min(rounds) * 1000:.1f})")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def a_b(before: Path, pairs, work: Path, image: Path, rounds: int) -> int:
    here = Path(__file__).resolve()
    sides = {}
    for name, (sender, reader) in zip(("before", "after"), pairs):
        env = {**os.environ}
        if name == "before":
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(before / "desktop"),
                                                              env.get("PYTHONPATH")]))
        sides[name] = subprocess.Popen(
            [sys.executable, str(here), "--child", str(work), sender.staff_id,
             reader.staff_id, str(image)], env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
    times: dict[str, list[float]] = {name: [] for name in sides}
    try:
        for name, process in sides.items():
            print(f"{name}: {process.stdout.readline().strip()}")  # ready, its medsnap
        print(f"load {os.getloadavg()[0]:.1f}, {rounds} interleaved rounds")
        for index in range(rounds + 1):
            for name, process in (sides.items() if index % 2 else reversed(sides.items())):
                process.stdin.write("go\n")
                process.stdin.flush()
                elapsed = float(process.stdout.readline())
                if index:  # the first round of each warms caches
                    times[name].append(elapsed)
    finally:
        for process in sides.values():
            process.stdin.close()
            process.wait(timeout=30)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"engine round, {name:<7} p50 {medians[name] * 1000:6.1f} ms  "
              f"p99 {percentile(values, 0.99) * 1000:6.1f} ms")
    print(f"after / before: {medians['after'] / medians['before']:.3f}; load at the end "
          f"{os.getloadavg()[0]:.1f}")
    return 0


def child(work: str, sender_id: str, reader_id: str, image: str) -> int:
    """One side of an A/B run: sign both in, then a round for each "go" on stdin."""
    import medsnap
    from medsnap.messaging.session import sign_in

    workstation = Workstation(Path(work) / "home")
    keystore = KeyStore(keyring_backend=FileKeyring(Path(work) / "keyring.json"))
    sender, reader = (sign_in(workstation, staff_id, PASSPHRASE, keystore=keystore)
                      for staff_id in (sender_id, reader_id))
    print(json.dumps(medsnap.__file__), flush=True)
    for _ in sys.stdin:
        print(engine_round(sender, reader, Path(image)), flush=True)
    return 0


per_round: dict[str, list[float]] = defaultdict(list)
calls: dict[str, int] = {}

if __name__ == "__main__":
    sys.exit(main())
