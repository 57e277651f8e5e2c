"""Seal and open a letter against the `age` command encrypting/decrypting the same bytes.

Run: .venv/bin/python benchmarks/letter_seal_open.py [--sizes 5,200] [--repeat 3]

For each image size (MB) in one run:
  seal      medsnap seal(): validate letter, hash parts, sign the manifest, build the ustar
            archive, age-encrypt to two recipients (recipient + sender's own copy)
  age -e    the Debian `age` command encrypting the same archive bytes to the same two keys
  open      medsnap open_letter(): decrypt, strict archive parse, chain + CRL, signature,
            recipient, times, replay store (SQLite in memory), part hashes
  age -d    the `age` command decrypting the sealed file
Medians; ratio = peer time / medsnap time as throughput ratio (>= 1.0 means medsnap is as
fast as or faster than the `age` command). Also prints peak RSS growth of this process.
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


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


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
    print(f"{'size':>6} {'seal s':>8} {'age -e s':>9} {'ratio':>6} "
          f"{'open s':>8} {'age -d s':>9} {'ratio':>6} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        key_file = Path(tmp) / "bob.key"
        key_file.write_text(age.identity_file_text(age.X25519Identity(bob.encryption_key)))
        for size_mb in (int(s) for s in args.sizes.split(",")):
            image = b"\x89PNG\r\n\x1a\n" + os.urandom(size_mb * 1_000_000 - 8)
            letter = Letter(image, "image/png", note="benchmark")
            seal_t, open_t, enc_t, dec_t = [], [], [], []
            for _ in range(args.repeat):
                elapsed, sealed = timed(lambda: seal(letter, alice, [bob.certificates]))
                seal_t.append(elapsed)
                archive = age.decrypt(sealed, [age.X25519Identity(bob.encryption_key)])
                with ReplayStore(":memory:") as store:
                    elapsed, _ = timed(lambda: open_letter(
                        sealed, bob, root=ca.root_certificate, crl=crl, replay_store=store))
                open_t.append(elapsed)
                command = [AGE, *sum((["-r", r] for r in recipients), [])]
                elapsed, _ = timed(lambda: subprocess.run(command, input=archive,
                                                          capture_output=True, check=True))
                enc_t.append(elapsed)
                elapsed, _ = timed(lambda: subprocess.run(
                    [AGE, "-d", "-i", str(key_file)], input=sealed, capture_output=True,
                    check=True))
                dec_t.append(elapsed)
                del sealed, archive
            s, e, o, d = (statistics.median(t) for t in (seal_t, enc_t, open_t, dec_t))
            print(f"{size_mb:>4}MB {s:8.3f} {e:9.3f} {e / s:6.2f} {o:8.3f} {d:9.3f} "
                  f"{d / o:6.2f} {peak_rss_mb():12.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
