"""Seal and open a letter against the `age` command encrypting/decrypting the same bytes.

Run: .venv/bin/python benchmarks/letter_seal_open.py [--sizes 5,200] [--repeat 3]

For each image size (MB) in one run:
  seal      medsnap seal(): validate letter, hash parts, sign the manifest, build the ustar
            archive, age-encrypt to two recipients (recipient + sender's own copy)
  age -e    the Debian `age` command encrypting the same archive bytes to the same two keys
  open      medsnap open_letter(): decrypt, strict archive parse, chain + CRL, signature,
            recipient, times, replay store (SQLite in memory), part hashes
  age -d    the `age` command decrypting the sealed file
Interleaved repeats; ratio = peer time / medsnap time as throughput ratio (>= 1.0 means
medsnap is as fast as or faster than the `age` command), by wall time and by CPU time (user +
system; the `age` command's from its rusage): median and [min-max] over the repeats. Then one
untimed pass under tracemalloc: peak memory beyond the caller's input, in images.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from medsnap.crypto import age
from medsnap.crypto.certificates import ClinicianIdentity, HospitalCA
from medsnap.crypto.letter import open_letter, seal
from medsnap.crypto.letter_model import Letter, UnlockedClinician
from medsnap.crypto.replay import ReplayStore

AGE = shutil.which("age")


def clinician(ca: HospitalCA, name: str) -> UnlockedClinician:
    signing, encryption = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    identity = ClinicianIdentity(f"{name}@bench.nhs.uk", name.upper(), f"Dr {name}")
    return UnlockedClinician(signing, encryption,
                             ca.issue(identity, encryption.public_key(), signing.public_key()))


def timed(fn) -> tuple[float, float, object]:
    """(wall s, CPU s of this process or, for a subprocess, of the child, result)."""
    start, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
    result = fn()
    child = _children_cpu() - child
    return time.perf_counter() - start, child or time.process_time() - cpu, result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ratio(peer: list[float], ours: list[float]) -> str:
    ratios = sorted(p / o for p, o in zip(peer, ours))
    return f"{statistics.median(ratios):.2f} [{ratios[0]:.2f}-{ratios[-1]:.2f}]"


def memory_in_images(letter: Letter, alice, bob, ca, crl) -> tuple[float, float]:
    """Peak traced memory of seal and of open_letter beyond their input, in image sizes."""
    size = len(letter.image)
    tracemalloc.start()
    try:
        sealed = seal(letter, alice, [bob.certificates])
        seal_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        with ReplayStore(":memory:") as store:
            open_letter(sealed, bob, root=ca.root_certificate, crl=crl, replay_store=store)
        open_peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    return seal_peak / size, open_peak / size


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,200", help="image sizes in MB, comma separated")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not AGE:
        print("the `age` command is required", file=sys.stderr)
        return 2
    ca = HospitalCA.create("Bench Root")
    alice, bob = clinician(ca, "alice"), clinician(ca, "bob")
    crl = ca.crl([])
    recipients = [age.X25519Recipient(p.certificates.encryption_key).to_string()
                  for p in (bob, alice)]
    print(f"{'size':>6} {'op':>5} {'medsnap s':>9} {'age s':>7} {'wall ratio':>18} "
          f"{'CPU ratio':>18} {'peak mem':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        key_file = Path(tmp) / "bob.key"
        key_file.write_text(age.identity_file_text(age.X25519Identity(bob.encryption_key)))
        command = [AGE, *sum((["-r", r] for r in recipients), [])]
        for size_mb in (int(s) for s in args.sizes.split(",")):
            image = b"\x89PNG\r\n\x1a\n" + os.urandom(size_mb * 1_000_000 - 8)
            letter = Letter(image, "image/png", note="benchmark")
            times: dict[str, list[tuple[float, float]]] = {k: [] for k in ("s", "e", "o", "d")}
            for _ in range(args.repeat):
                wall, cpu, sealed = timed(lambda: seal(letter, alice, [bob.certificates]))
                times["s"].append((wall, cpu))
                archive = age.decrypt(sealed, [age.X25519Identity(bob.encryption_key)])
                with ReplayStore(":memory:") as store:
                    wall, cpu, _ = timed(lambda: open_letter(
                        sealed, bob, root=ca.root_certificate, crl=crl, replay_store=store))
                times["o"].append((wall, cpu))
                wall, cpu, _ = timed(lambda: subprocess.run(command, input=archive,
                                                            capture_output=True, check=True))
                times["e"].append((wall, cpu))
                wall, cpu, _ = timed(lambda: subprocess.run(
                    [AGE, "-d", "-i", str(key_file)], input=sealed, capture_output=True,
                    check=True))
                times["d"].append((wall, cpu))
                del sealed, archive
            memory = memory_in_images(letter, alice, bob, ca, crl)
            for (op, ours, peer), mem in zip((("seal", "s", "e"), ("open", "o", "d")), memory):
                walls = [[w for w, _ in times[k]] for k in (ours, peer)]
                cpus = [[c for _, c in times[k]] for k in (ours, peer)]
                print(f"{size_mb:>4}MB {op:>5} {statistics.median(walls[0]):9.3f} "
                      f"{statistics.median(walls[1]):7.3f} {ratio(walls[1], walls[0]):>18} "
                      f"{ratio(cpus[1], cpus[0]):>18} {mem:8.2f}x", flush=True)
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
