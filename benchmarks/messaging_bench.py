"""`medsnap send` -> message listed by `medsnap inbox`, 5 MB image on loopback, against the floor:
the same exchange with the `age` command plus curl to the same endpoint.

    .venv/bin/python benchmarks/messaging_bench.py [--rounds 8] [--megabytes 5] [--picture photo]
        [--before DIR] [--editable]

MedSnap side (each a new process, as a clinician runs them): `medsnap send --as A --to B
IMAGE` (decode, re-encode clean, verify, look up B, seal, queue, upload), then `medsnap inbox
--as B --json` (list, download, store, acknowledge, verify and open) until it is listed.
Measured three ways: signed in (`medsnap signin`: the key agent holds the keys and the warm
runner has the code loaded, so each command is a fork of it - as a clinician works), signed in
but cold (MEDSNAP_WARM_RUNNER=off: each command a fresh interpreter importing everything, as
before the runner), and without an agent (each command unlocks its keys: scrypt logN 18,
twice; cold).

Floor: `age -r B -o F IMAGE`, curl POST of F (signed request), curl GET inbox, curl GET the
item, curl POST ack, `age -d`. Request signatures are computed in this process (no interpreter
start-up counted for them). The floor does not sanitise; MedSnap must (a fresh PNG from the
decoded pixels, checked by the verifier), so a second floor line adds that work done in this
process with MedSnap's own encoder (`encode_clean`: png_writer), and a reference line shows
Pillow's own PNG encoder at level 6 (what the re-encode cost before png_writer). Rounds are
interleaved so machine load hits all alike. The child processes use the test file keyring
(tests/messaging/file_keyring.py), since the benchmark machine may have no Secret Service, and a
private XDG_RUNTIME_DIR for the agents' sockets. They run with PYTHONDONTWRITEBYTECODE unset, as
an installed MedSnap does (pip and the MSI compile its modules): with it set, as in some
sandboxes, every command compiles ~100 modules from source again (~50 ms each).

The commands are those of MedSnap's wheel installed in a private environment
(``installed_medsnap``), as a workstation has it: the checkout's own .venv is an editable
install whose import finder costs every command ~10 ms before MedSnap starts (``--editable``
times that instead).

``--before DIR`` adds a line for the same signed-in exchange run by the ``medsnap`` package
found in DIR (an earlier commit's ``desktop/``, e.g. ``git archive COMMIT desktop | tar -x -C
/tmp/before``), put first on the commands' PYTHONPATH, interleaved with the others: a
before/after comparison under the same load, against the same endpoint.
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
                str(REPO / "tests" / "endpoint"), str(REPO / "benchmarks")]

from endpoint_harness import EndpointServer, with_hospital_ca  # noqa: E402
from file_keyring import FILE_ENV, FileKeyring  # noqa: E402

from medsnap.crypto.age import X25519Identity, X25519Recipient  # noqa: E402
from medsnap.crypto.keystore import KeyStore  # noqa: E402
from medsnap.messaging.profile import Workstation  # noqa: E402
from medsnap.messaging.session import enrol  # noqa: E402
from medsnap_endpoint import admin  # noqa: E402
from medsnap_endpoint.storage import open_database  # noqa: E402

PASSPHRASE = "copper lantern drifts 42 north"
BIN = Path(sys.executable).parent
PROGRAM = BIN / "medsnap"  # main() points it at an installed copy unless --editable


def make_image(path: Path, megabytes: float, picture: str = "noise") -> None:
    """A PNG of about ``megabytes``: random pixels (incompressible: the worst case, and the
    issue's figure), or a photograph-like picture (png_encode_choice.photograph's texture,
    about half of its pixel bytes as PNG)."""
    from PIL import Image

    if picture == "noise":
        side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
        Image.frombytes("RGB", (side, side), random.randbytes(side * side * 3)).save(path)
        return
    from png_encode_choice import photograph

    side = int((megabytes * 2.4 * 1024 * 1024 / 3) ** 0.5)
    photograph(random.Random(2026), side * 4 // 3, side * 3 // 4).save(path)


def start_server(folder: Path) -> EndpointServer:
    url = with_hospital_ca(f"sqlite:///{folder / 'endpoint.db'}", "Benchmark Root")
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


def sanitise_seconds(image: Path) -> float:
    """What MedSnap must add to the floor: decode, a fresh PNG (png_writer), the verifier."""
    from PIL import Image

    from medsnap.imaging import encode_clean

    start = time.perf_counter()
    with Image.open(image) as source:
        source.load()
        encode_clean(source, "png")
    return time.perf_counter() - start


def pillow_level6_seconds(image: Path) -> float:
    """Reference: Pillow's decode and its own PNG encoder at level 6 (before png_writer)."""
    import io

    from PIL import Image

    start = time.perf_counter()
    with Image.open(image) as source:
        source.load()
        source.save(io.BytesIO(), "PNG", optimize=False, compress_level=6)
    return time.perf_counter() - start


def sign_in(staff_id: str, env: dict) -> None:
    subprocess.run([str(PROGRAM), "signin", staff_id],
                   env={**env, "MEDSNAP_PASSPHRASE": PASSPHRASE}, check=True,
                   capture_output=True)


def wait_for_runner(home: Path, runtime: Path) -> None:
    """Until the warm runner started by signin answers (it imports in the background)."""
    from medsnap.messaging.warm_control import ask_runner

    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    deadline = time.monotonic() + 30
    while ask_runner(home, "ping") is None:  # (this script's code differs: refused, alive)
        if time.monotonic() > deadline:
            raise SystemExit("the warm runner did not start")
        time.sleep(0.05)


def keep_runner(home: Path, runtime: Path, people, env: dict) -> bool:
    """Before a warm round: a runner whose files changed (another engineer's commit in this
    checkout) stops at this ping, and signing in again starts one with the new code, so that
    the warm line never measures a cold command. True when it had to be restarted."""
    from medsnap.messaging.warm_control import ask_runner

    answer = ask_runner(home, "ping")
    if answer is not None and answer.get("why") != "upgraded":
        return False
    deadline = time.monotonic() + 5
    while os.path.exists(wire_path(home)) and time.monotonic() < deadline:
        time.sleep(0.02)
    for person in people:
        sign_in(person.staff_id, env)
    wait_for_runner(home, runtime)
    return True


def wire_path(home: Path) -> str:
    from medsnap.messaging.warm_wire import runner_socket_path

    return runner_socket_path(str(home))


def code_from(folder: Path, env: dict) -> dict:
    """``env`` with the medsnap package in ``folder``/desktop found before the installed one."""
    return {**env, "PYTHONPATH": os.pathsep.join([str(folder / "desktop"), env["PYTHONPATH"]])}


def medsnap_round(sender, reader, image: Path, env: dict) -> float:
    start = time.perf_counter()
    sent = run_medsnap(["send", "--as", sender.staff_id, "--to", reader.staff_id, str(image),
                        "--declare", "direct-care", "--json"], env)
    message = json.loads(sent.stdout)
    assert message["state"] == "sent", message
    listed = run_medsnap(["inbox", "--as", reader.staff_id, "--json"], env)
    elapsed = time.perf_counter() - start
    items = json.loads(listed.stdout)
    assert items and items[-1]["state"] == "verified", items[-1:]
    return elapsed


def run_medsnap(args: list[str], env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([str(PROGRAM), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"medsnap {args[0]} ended {done.returncode}: {done.stderr[-2000:]}")
    return done


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
    parser.add_argument("--picture", choices=("noise", "photo"), default="noise",
                        help="random pixels (default) or a photograph-like picture")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also run the signed-in exchange with DIR/desktop's medsnap")
    parser.add_argument("--editable", action="store_true",
                        help="time the checkout's .venv (an editable install) instead of the "
                             "wheel installed in a private environment")
    args = parser.parse_args()
    if not shutil.which("age") or not shutil.which("curl"):
        print("needs the age and curl commands")
        return 2
    work = Path(tempfile.mkdtemp(prefix="medsnap-msg-bench-"))
    global PROGRAM
    if not args.editable:
        from installed_medsnap import install_copy

        PROGRAM = install_copy(work / "installed") / "medsnap"
    runtime = Path(tempfile.mkdtemp(prefix="msb-"))  # short: socket paths are limited
    os.chmod(runtime, 0o700)
    server = start_server(work)
    try:
        keyring_file = work / "keyring.json"
        workstation, keystore = Workstation(work / "home"), KeyStore(
            keyring_backend=FileKeyring(keyring_file))
        sender = add_and_enrol(server, workstation, keystore, "Sender")
        reader = add_and_enrol(server, workstation, keystore, "Reader")
        plain_sender = add_and_enrol(server, workstation, keystore, "Plainsender")
        plain_reader = add_and_enrol(server, workstation, keystore, "Plainreader")
        floor_reader = add_and_enrol(server, workstation, keystore, "Floor")
        image = work / "image.png"
        make_image(image, args.megabytes, args.picture)
        env = {**os.environ, "MEDSNAP_HOME": str(work / "home"), "XDG_RUNTIME_DIR": str(runtime),
               "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring", FILE_ENV: str(keyring_file),
               "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "messaging"),
                                              str(REPO / "tests")])}
        env.pop("MEDSNAP_PASSPHRASE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules compiled once
        cold_env = {**env, "MEDSNAP_WARM_RUNNER": "off"}
        unlocking_env = {**cold_env, "MEDSNAP_PASSPHRASE": PASSPHRASE}
        for person in (sender, reader):
            sign_in(person.staff_id, env)
        wait_for_runner(workstation.home, runtime)
        before_env = code_from(args.before.resolve(), env) if args.before else None
        if before_env:  # a workstation folder of its own: its own warm runner and agents
            before_desk = Workstation(work / "home-before")
            before_env["MEDSNAP_HOME"] = str(before_desk.home)
            before_sender = add_and_enrol(server, before_desk, keystore, "Beforesender")
            before_reader = add_and_enrol(server, before_desk, keystore, "Beforereader")
            for person in (before_sender, before_reader):
                sign_in(person.staff_id, before_env)
            deadline = time.monotonic() + 30  # (its wire may differ from this code's: no ping)
            while not os.path.exists(wire_path(before_desk.home)) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(2)  # the runner listens first, then imports
        print(f"image {image.stat().st_size / 1e6:.2f} MB, {args.rounds} interleaved rounds, "
              f"load {os.getloadavg()[0]:.1f}")
        lines = {"medsnap, signed in (warm runner)": [],
                 "medsnap, signed in, cold": [],
                 **({"  the same, code before": []} if before_env else {}),
                 "medsnap, no agent (scrypt x2)": [],
                 "engine, keys unlocked": [], "age + curl (floor)": [],
                 "floor + sanitise": [], "  sanitise alone": [],
                 "  Pillow decode + level 6": []}
        floor_round(sender, floor_reader, image, work)  # warm caches once each
        medsnap_round(sender, reader, image, env)
        medsnap_round(sender, reader, image, cold_env)
        medsnap_round(plain_sender, plain_reader, image, unlocking_env)
        engine_round(sender, floor_reader, image)
        if before_env:
            medsnap_round(before_sender, before_reader, image, before_env)
        restarts = 0
        for _ in range(args.rounds):
            restarts += keep_runner(workstation.home, runtime, (sender, reader), env)
            lines["medsnap, signed in (warm runner)"].append(
                medsnap_round(sender, reader, image, env))
            lines["medsnap, signed in, cold"].append(
                medsnap_round(sender, reader, image, cold_env))
            if before_env:
                lines["  the same, code before"].append(
                    medsnap_round(before_sender, before_reader, image, before_env))
            lines["medsnap, no agent (scrypt x2)"].append(
                medsnap_round(plain_sender, plain_reader, image, unlocking_env))
            lines["engine, keys unlocked"].append(engine_round(sender, floor_reader, image))
            floor = floor_round(sender, floor_reader, image, work)
            sanitise = sanitise_seconds(image)
            lines["age + curl (floor)"].append(floor)
            lines["floor + sanitise"].append(floor + sanitise)
            lines["  sanitise alone"].append(sanitise)
            lines["  Pillow decode + level 6"].append(pillow_level6_seconds(image))
        floors = {name: (statistics.median(lines[name]), percentile(lines[name], 0.99))
                  for name in ("age + curl (floor)", "floor + sanitise")}
        (f50, f99), (s50, s99) = floors["age + curl (floor)"], floors["floor + sanitise"]
        print(f"{'':<34} {'p50':>7} {'p99':>7}   vs floor p50/p99   vs floor+sanitise p50/p99")
        for label, times in lines.items():
            p50, p99 = statistics.median(times), percentile(times, 0.99)
            print(f"{label:<34} {p50:6.2f}s {p99:6.2f}s   {p50 / f50:6.2f}x {p99 / f99:6.2f}x"
                  f"       {p50 / s50:6.2f}x {p99 / s99:6.2f}x")
        print("goal: within 1.5x of the floor (the floor does not sanitise; see the second floor);"
              f" load at the end {os.getloadavg()[0]:.1f}; warm runner restarted {restarts} times"
              " (MedSnap's files changed during the run)")
    finally:
        for home in (work / "home", work / "home-before"):  # agents stop with their keys
            if home.exists():
                subprocess.run([str(PROGRAM), "lock", "--all"], capture_output=True,
                               env={**os.environ, "MEDSNAP_HOME": str(home),
                                    "XDG_RUNTIME_DIR": str(runtime)})
        shutil.rmtree(runtime, ignore_errors=True)
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        time.sleep(1.0)  # a locking agent records "lock" in its profile just after it answers
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
