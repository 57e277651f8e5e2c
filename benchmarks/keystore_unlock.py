"""Unlock time of a clinician's wrapped keys (scrypt, logN 18) against the `age` command.

Run: .venv/bin/python benchmarks/keystore_unlock.py [--repeat 5]

One wrapped key file (a real KeyStore.create at logN 18) is opened, in the same run, by:
  medsnap KeyStore.unlock   keyring read (in-memory backend) + age decrypt + key parsing
  medsnap age.decrypt       the bare age decryption with the scrypt identity
  medsnap via Secret Service KeyStore.unlock through gnome-keyring on a private D-Bus
  age -d                    the Debian `age` command, passphrase typed on a pty; timed from
                            the moment the passphrase is sent until the process exits
  pyrage                    rage's Python binding (if installed), passphrase.decrypt
Contenders run interleaved, round by round; medians of wall and CPU time are printed with
the ratios medsnap / peer (below 1.0 means medsnap is faster). CPU time is the steadier
figure on a loaded machine; age's includes its process start-up, the Secret Service row's
excludes gnome-keyring's own CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import select
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the in-memory keyring and the Secret Service harness

from keyring_backends import MemoryKeyring  # noqa: E402

from medsnap.crypto.age import ScryptIdentity, decrypt  # noqa: E402
from medsnap.crypto.certificates import HospitalCA  # noqa: E402
from medsnap.crypto.clinician_keys import ClinicianKeys  # noqa: E402
from medsnap.crypto.identity import ClinicianIdentity  # noqa: E402
from medsnap.crypto.keystore import KeyStore  # noqa: E402

STAFF = "BENCH001"
PASSPHRASE = "benchmark harbour lantern 18"


Measured = tuple[float, float]  # (wall seconds, CPU seconds)


def interleaved_medians(
    runs: dict[str, Callable[[], Measured | None]], repeat: int
) -> dict[str, Measured]:
    """Run every contender once per round (so drift in machine load hits all alike).

    A contender returns its own (wall, CPU) seconds, or None to be timed here (wall clock
    and this process's CPU time, which holds all the work of an in-process contender).
    """
    times: dict[str, list[Measured]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            measured = run()
            times[name].append(measured or (time.perf_counter() - wall, time.process_time() - cpu))
    return {
        name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        for name, values in times.items()
    }


def age_decrypt_on_pty(age: str, wrapped: Path, output: Path) -> Measured:
    """Run `age -d`, type the passphrase at its prompt.

    Wall: from typing the passphrase to exit. CPU: the whole age process (user + system,
    start-up included), from wait4's resource usage.
    """
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(age, [age, "-d", "-o", str(output), str(wrapped)])
        finally:
            os._exit(127)
    transcript = b""
    sent_at = None
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                raise TimeoutError(f"age stalled: {transcript!r}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: age exited and closed the terminal
                break
            if not chunk:
                break
            transcript += chunk
            if sent_at is None and transcript.rstrip().endswith(b":"):
                sent_at = time.perf_counter()
                os.write(fd, PASSPHRASE.encode() + b"\r")
        _, status, usage = os.wait4(pid, 0)
        finished = time.perf_counter()
    finally:
        os.close(fd)
    if os.waitstatus_to_exitcode(status) != 0 or sent_at is None:
        raise RuntimeError(f"age -d failed: {transcript.decode(errors='replace')}")
    return finished - sent_at, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    keys = ClinicianKeys.generate()
    ca = HospitalCA.create("Benchmark Trust Root")
    who = ClinicianIdentity("bench@example.nhs.uk", STAFF, "Dr Bench Mark", "Consultant")
    issued = ca.issue(who, keys.encryption_public_key, keys.signing_public_key)
    keys = keys.with_certificates(issued.to_pem() + ca.root_pem())
    store = KeyStore(keyring_backend=MemoryKeyring())
    store.create(STAFF, PASSPHRASE, keys)
    wrapped_bytes = store.export_wrapped(STAFF)
    print(f"wrapped key file (keys + 3 certificates): {len(wrapped_bytes)} bytes, "
          f"scrypt logN {store.log_n}; {args.repeat} interleaved rounds, medians")

    ours: dict[str, Callable[[], Measured | None]] = {
        "medsnap KeyStore.unlock": lambda: store.unlock(STAFF, PASSPHRASE).lock(),
        "medsnap age.decrypt": lambda: decrypt(wrapped_bytes, [ScryptIdentity(PASSPHRASE)])
        and None,
    }
    peers: dict[str, Callable[[], Measured | None]] = {}
    with contextlib.ExitStack() as cleanup:
        try:
            from real_keyring import private_secret_service

            session = cleanup.enter_context(private_secret_service())
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = session.address
            real = KeyStore(keyring_backend=session.backend())
            real.import_wrapped(STAFF, wrapped_bytes)
            ours["medsnap unlock via Secret Service"] = lambda: real.unlock(
                STAFF, PASSPHRASE).lock()
        except Exception as error:  # noqa: BLE001 - report and carry on with the others
            print(f"(Secret Service not measured: {error})")
        age = shutil.which("age")
        if age:
            scratch = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
            wrapped = scratch / "keys.age"
            wrapped.write_bytes(wrapped_bytes)
            peers["age -d (pty)"] = lambda: age_decrypt_on_pty(age, wrapped, scratch / "out")
        else:
            print("(age command not installed: apt-get install age)")
        try:
            from pyrage import passphrase as rage_passphrase

            peers["pyrage passphrase.decrypt"] = lambda: rage_passphrase.decrypt(
                wrapped_bytes, PASSPHRASE) and None
        except ImportError:
            print("(pyrage not installed: pip install pyrage)")
        medians = interleaved_medians({**ours, **peers}, args.repeat)

    print(f"  {'':38s} {'wall':>9s} {'CPU':>9s}")
    for name, (wall, cpu) in medians.items():
        print(f"  {name:38s} {wall * 1000:6.0f} ms {cpu * 1000:6.0f} ms")
    print("ratios medsnap / peer (wall, CPU); below 1.0 means medsnap is faster:")
    for peer in peers:
        for name in ours:
            wall = medians[name][0] / medians[peer][0]
            cpu = medians[name][1] / medians[peer][1]
            print(f"  {name} / {peer}: {wall:.2f}, {cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
