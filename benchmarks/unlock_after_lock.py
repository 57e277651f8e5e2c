"""Unlock after a lock: before (a full sign-in again) against after (the same session's keys
reopened), with bare scrypt at logN 18 as the floor, in one run.

Run: .venv/bin/python benchmarks/unlock_after_lock.py [--repeat 5]

It starts the demo (embedded endpoint on 127.0.0.1, demo colleagues) in a temporary folder
with an in-memory keyring and measures, round by round (interleaved, so load drifts hit all
alike):
  engine before   session.sign_in(...) again, what the window's Unlock did before
  engine after    unlock_session(session, passphrase) on the locked session
  floor           cryptography's Scrypt(n=2**18, r=8, p=1).derive: the derivation alone
  window before   MessagingBinding.sign_in from the lock screen: Enter -> signed_in (Qt offscreen)
  window after    MessagingBinding.unlock from the lock screen: Enter -> signed_in
and counts the scrypt derivations each one makes. Prints medians of wall and CPU time and the
ratio to the floor (1.0 = nothing but the derivation).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the in-memory keyring

from keyring_backends import MemoryKeyring  # noqa: E402

from medsnap.crypto.age import scrypt  # noqa: E402
from medsnap.crypto.keystore import KeyStore  # noqa: E402
from medsnap.messaging.demo import COLLEAGUES, start_demo  # noqa: E402
from medsnap.messaging.profile import Workstation  # noqa: E402
from medsnap.messaging.session import sign_in  # noqa: E402
from medsnap.messaging.unlock import unlock_session  # noqa: E402

DERIVATIONS: list[int] = []
_real_wrap_key = scrypt._wrap_key


def _counted(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
    DERIVATIONS.append(log_n)
    return _real_wrap_key(passphrase, salt, log_n)


scrypt._wrap_key = _counted  # counts; the real derivation still runs


def floor() -> None:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    Scrypt(salt=os.urandom(16), length=32, n=1 << 18, r=8, p=1).derive(b"x" * 28)
    DERIVATIONS.append(18)


class WindowUnlock:
    """A binding (no widgets needed) whose session is locked before each measured unlock."""

    def __init__(self, home: Path, keystore: KeyStore, person) -> None:
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QApplication

        from medsnap.ui.messaging_binding import MessagingBinding

        self.app = QApplication.instance() or QApplication([])
        self.loop_type = QEventLoop
        self.person = person
        self.binding = MessagingBinding(home, keystore, sync_interval_ms=3_600_000)
        self._wait(lambda: self.binding.sign_in(person.staff_id, person.passphrase))

    def _wait(self, start) -> float:
        loop = self.loop_type()
        self.binding.signed_in.connect(loop.quit)
        began = time.perf_counter()
        start()
        loop.exec()
        elapsed = time.perf_counter() - began
        self.binding.signed_in.disconnect(loop.quit)
        self.binding.jobs.wait(60000)  # the directory and sync it starts: not part of unlock
        self.app.processEvents()
        return elapsed

    def before(self) -> tuple[float, float]:
        self.binding.lock("benchmark")
        cpu = time.process_time()
        wall = self._wait(lambda: self.binding.sign_in(self.person.staff_id,
                                                       self.person.passphrase))
        return wall, time.process_time() - cpu

    def after(self) -> tuple[float, float]:
        self.binding.lock("benchmark")
        cpu = time.process_time()
        wall = self._wait(lambda: self.binding.unlock(self.person.passphrase))
        return wall, time.process_time() - cpu

    def close(self) -> None:
        self.binding.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="medsnap-unlock-bench-"))
    keystore = KeyStore(keyring_backend=MemoryKeyring())
    demo = start_demo(home, port=0, keystore=keystore)
    person = COLLEAGUES[1]
    session = sign_in(Workstation(home), person.staff_id, person.passphrase, keystore=keystore)
    window = WindowUnlock(home, keystore, person)

    def engine_before() -> None:
        sign_in(Workstation(home), person.staff_id, person.passphrase,
                keystore=keystore).close()

    def engine_after() -> None:
        session.lock()
        unlock_session(session, person.passphrase, keystore)

    runs = {"engine before: sign in again": engine_before,
            "engine after: unlock_session": engine_after,
            "floor: scrypt logN 18": floor,
            "window before: Enter -> unlocked": window.before,
            "window after: Enter -> unlocked": window.after}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    counts: dict[str, int] = {}
    try:
        for _ in range(args.repeat):
            for name, run in runs.items():
                DERIVATIONS.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                measured = run()
                times[name].append(measured or (time.perf_counter() - wall,
                                                time.process_time() - cpu))
                counts[name] = len(DERIVATIONS)
    finally:
        window.close()
        session.close()
        demo.stop()
    floor_wall, floor_cpu = (statistics.median(v[i] for v in times["floor: scrypt logN 18"])
                             for i in (0, 1))
    print(f"{args.repeat} interleaved rounds, medians; load {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    print(f"{'contender':36} {'wall s':>7} {'CPU s':>7} {'wall/floor':>10} {'CPU/floor':>9} "
          f"{'scrypt':>6}")
    for name, values in times.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"{name:36} {wall:7.3f} {cpu:7.3f} {wall / floor_wall:10.2f} "
              f"{cpu / floor_cpu:9.2f} {counts[name]:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
