"""`medsnap send` -> message listed by `medsnap inbox`, 5 MB image on loopback, against the floor:
the same exchange with the `age` command plus curl to the same endpoint.

    .venv/bin/python benchmarks/messaging_bench.py [--rounds 8] [--megabytes 5]

MedSnap side (each a new process, as a clinician runs them): `medsnap send --as A --to B
IMAGE` (decode, re-encode clean, verify, unlock keys with scrypt logN 18, look up B, seal,
queue, upload), then `medsnap inbox --as B --json` (unlock, list, download, store, acknowledge,
verify and open) until the message is listed.

Floor: `age -r B -o F IMAGE`, curl POST of F (signed request), curl GET inbox, curl GET the
item, curl POST ack, `age -d`. Request signatures are computed in this process (no interpreter
start-up counted for them). Rounds are interleaved so machine load hits both alike.
The child processes use the test file keyring (tests/messaging/file_keyring.py), since the
benchmark machine may have no Secret Service.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests" / "messaging"), str(REPO / "tests"),
                str(REPO / "tests" / "endpoint")]

from endpoint_harness import EndpointServer  # noqa: E402
from file_keyring import FILE_ENV, FileKeyring  # noqa: E402

from medsnap.crypto.age import X25519Identity, X25519Recipient  # noqa: E402
from medsnap.crypto.keystore import KeyStore  # noqa: E402
from medsnap.messaging.profile import Workstation  # noqa: E402
from medsnap.messaging.session import enrol  # noqa: E402
from medsnap_endpoint import admin  # noqa: E402
from medsnap_endpoint.storage import open_database  # noqa: E402

PASSPHRASE = "copper lantern drifts 42 north"
BIN = Path(sys.executable).parent


def make_image(path: Path, megabytes: float) -> None:
    """Random pixels (incompressible), so the PNG is about ``megabytes`` large."""
    from PIL import Image

    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    Image.frombytes("RGB", (side, side), random.randbytes(side * side * 3)).save(path)


def start_server(folder: Path) -> EndpointServer:
    url = f"sqlite:///{folder / 'endpoint.db'}"
    database = open_database(url)
    admin.init_ca(database, "Benchmark Root")
    database.close()
    return EndpointServer(url, ["--requests-per-minute", "100000",
                                "--public-requests-per-minute", "100000"]).start()


def add_and_enrol(server, workstation: Workstation, keystore: KeyStore, name: str):
    staff_id = f"{name.lower()}{uuid.uuid4().hex[:6]}"
    database = open_database(server.database_url)
    code, _ = admin.add_clinician(database, staff_id=staff_id, email=f"{staff_id}@bench.example",
                                  display_name=name)
    database.close()
    return enrol(workstation, staff_id, code, PASSPHRASE, endpoint_url=server.url,
                 keystore=keystore)


def curl(request, body_file: Path | None = None, output: Path | None = None) -> bytes:
    args = ["curl", "-sS", "--fail", "-X", request.method, str(request.url)]
    for key, value in request.headers.items():
        if key.lower() not in ("content-length", "host", "accept-encoding", "user-agent",
                               "connection", "accept"):
            args += ["-H", f"{key}: {value}"]
    if body_file is not None:
        args += ["--data-binary", f"@{body_file}"]
    if output is not None:
        args += ["-o", str(output)]
    return subprocess.run(args, check=True, capture_output=True).stdout


def floor_round(sender, reader, image: Path, work: Path) -> float:
    encrypted, downloaded, opened = work / "f.age", work / "d.age", work / "d.png"
    identity = X25519Identity(reader.keys.encryption_key)
    key_file = work / "reader.key"
    key_file.write_text(identity.to_string() + "\n")
    recipient = X25519Recipient(reader.keys.encryption_key.public_key()).to_string()
    start = time.perf_counter()
    subprocess.run(["age", "-r", recipient, "-o", str(encrypted), str(image)], check=True)
    message_id = uuid.uuid4().hex
    post = sender.transport.client.signed_request(
        "POST", "/v1/messages", params=[("message_id", message_id), ("to", reader.staff_id)],
        content=encrypted.read_bytes(), headers={"Content-Type": "application/octet-stream"})
    curl(post, body_file=encrypted)
    listed = json.loads(curl(reader.transport.client.signed_request("GET", "/v1/inbox")))
    [item] = [m for m in listed["messages"] if m["message_id"] == message_id]
    curl(reader.transport.client.signed_request("GET", f"/v1/inbox/{item['id']}"),
         output=downloaded)
    curl(reader.transport.client.signed_request("POST", f"/v1/inbox/{item['id']}/ack"))
    subprocess.run(["age", "-d", "-i", str(key_file), "-o", str(opened), str(downloaded)],
                   check=True)
    return time.perf_counter() - start


def medsnap_round(sender, reader, image: Path, env: dict) -> float:
    start = time.perf_counter()
    sent = subprocess.run([str(BIN / "medsnap"), "send", "--as", sender.staff_id, "--to",
                           reader.staff_id, str(image), "--json"], env=env, capture_output=True,
                          text=True, check=True)
    message = json.loads(sent.stdout)
    assert message["state"] == "sent", message
    listed = subprocess.run([str(BIN / "medsnap"), "inbox", "--as", reader.staff_id, "--json"],
                            env=env, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    items = json.loads(listed.stdout)
    assert items and items[-1]["state"] == "verified", items[-1:]
    return elapsed


def engine_round(sender, reader, image: Path) -> float:
    """The same exchange inside one process with keys already unlocked (as the window runs it)."""
    from medsnap.document import Document
    from medsnap.exporting import export_bytes, load_for_export
    from medsnap.messaging.compose import queue_letter
    from medsnap.messaging.inbox import Inbox
    from medsnap.messaging.outbox import Outbox
    from medsnap.messaging.sync import SyncWorker

    start = time.perf_counter()
    clean = export_bytes(Document(load_for_export(str(image))), "png")
    outbox = Outbox(sender.profile.outbox_path)
    message_id = queue_letter(sender, outbox, clean, [reader.staff_id])
    assert SyncWorker(sender, outbox).run_once().sent == [message_id]
    inbox = Inbox(reader)
    accepted, _refused = inbox.fetch(reader.crl(refresh=True))
    elapsed = time.perf_counter() - start
    assert accepted == 1
    outbox.close()
    inbox.close()
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args()
    if not shutil.which("age") or not shutil.which("curl"):
        print("needs the age and curl commands")
        return 2
    work = Path(tempfile.mkdtemp(prefix="medsnap-msg-bench-"))
    server = start_server(work)
    try:
        keyring_file = work / "keyring.json"
        workstation, keystore = Workstation(work / "home"), KeyStore(
            keyring_backend=FileKeyring(keyring_file))
        sender = add_and_enrol(server, workstation, keystore, "Sender")
        reader = add_and_enrol(server, workstation, keystore, "Reader")
        floor_reader = add_and_enrol(server, workstation, keystore, "Floor")
        image = work / "image.png"
        make_image(image, args.megabytes)
        env = {**os.environ, "MEDSNAP_HOME": str(work / "home"), "MEDSNAP_PASSPHRASE": PASSPHRASE,
               "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring", FILE_ENV: str(keyring_file),
               "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "messaging"),
                                              str(REPO / "tests")])}
        print(f"image {image.stat().st_size / 1e6:.2f} MB, {args.rounds} interleaved rounds")
        medsnap_times, engine_times, floor_times = [], [], []
        floor_round(sender, floor_reader, image, work)  # warm caches once each
        medsnap_round(sender, reader, image, env)
        engine_round(sender, floor_reader, image)
        for _ in range(args.rounds):
            medsnap_times.append(medsnap_round(sender, reader, image, env))
            engine_times.append(engine_round(sender, floor_reader, image))
            floor_times.append(floor_round(sender, floor_reader, image, work))
        floor50, floor99 = statistics.median(floor_times), percentile(floor_times, 0.99)
        for label, times in (("medsnap send -> inbox", medsnap_times),
                             ("engine, keys unlocked", engine_times),
                             ("age + curl (floor)", floor_times)):
            p50, p99 = statistics.median(times), percentile(times, 0.99)
            print(f"{label:<24} p50 {p50:6.2f} s   p99 {p99:6.2f} s   "
                  f"ratio p50 {p50 / floor50:5.2f}x  p99 {p99 / floor99:5.2f}x")
        print("goal: within 1.5x of the floor")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
