"""age throughput: medsnap's streaming age v1 against the `age` command, same files, one run.

Run: .venv/bin/python benchmarks/age_throughput.py [--sizes 5,200] [--repeat 5]

For each size (MB of random data) it seals (encrypts to one X25519 recipient) and opens
(decrypts) the same file with:
  api    medsnap.crypto.age.encrypt_stream / decrypt_stream in a fresh Python process,
         timed inside the process (interpreter start-up excluded)
  cli    `medsnap age` as a whole process (start-up included, like the age command)
  age    the Debian `age` command as a whole process
Each figure is the median of --repeat runs; MB/s = 10^6 bytes per second. Ratio = ours / age
throughput (>= 1.0 means at least as fast as age). Peak RSS is each process's own maximum
resident set (GNU time's %M when /usr/bin/time exists, else /proc VmHWM sampled every 2 ms),
shown for every size so that flat memory can be seen. Finally the scrypt unlock time at
logN 18 (medsnap ScryptIdentity vs pyrage, in process).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "desktop"))

from medsnap.crypto import age  # noqa: E402

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
API_SNIPPET = """
import sys, time
from medsnap.crypto import age
mode, key, src, dst = sys.argv[1:5]
with open(src, "rb") as s, open(dst, "wb") as d:
    start = time.perf_counter()
    if mode == "seal":
        age.encrypt_stream(s, d, [age.X25519Recipient.from_string(key)])
    else:
        age.decrypt_stream(s, d, age.parse_identities(open(key).read()))
    d.flush()
    print(time.perf_counter() - start)
"""


def _peak_by_polling(process: subprocess.Popen) -> int:
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.002)
    return peak


def measure(command: list[str]) -> tuple[float, int, str]:
    """Run ``command``; return (wall seconds, peak RSS in KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r") as rss_file:
        full = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *command] if GNU_TIME else command
        start = time.perf_counter()
        process = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0 if GNU_TIME else _peak_by_polling(process)
        out, err = process.communicate()
        wall = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {err}")
        if GNU_TIME:
            peak = int(rss_file.read().split()[-1])
    return wall, peak, out


def interleaved_medians(commands: dict[str, tuple[list[str], bool]], repeat: int, output: Path) -> dict[str, tuple[float, int]]:
    """Run each command ``repeat`` times, round-robin so load changes hit all alike."""
    times: dict[str, list[float]] = {who: [] for who in commands}
    peaks: dict[str, int] = {who: 0 for who in commands}
    for _ in range(repeat):
        for who, (command, inner_time) in commands.items():
            output.unlink(missing_ok=True)  # every run writes a fresh file (no truncation cost)
            wall, peak, out = measure(command)
            times[who].append(float(out.strip().splitlines()[-1]) if inner_time else wall)
            peaks[who] = max(peaks[who], peak)
    return {who: (statistics.median(times[who]), peaks[who]) for who in commands}


def bench_size(work: Path, megabytes: int, repeat: int, key_file: Path, recipient: str, age_bin: str) -> list[tuple]:
    size = megabytes * 1_000_000
    plain = work / f"plain-{megabytes}.bin"
    with open(plain, "wb") as handle:
        for offset in range(0, size, 1 << 22):
            handle.write(os.urandom(min(1 << 22, size - offset)))
    sealed_age = work / f"sealed-{megabytes}.age"
    subprocess.run([age_bin, "-r", recipient, "-o", str(sealed_age), str(plain)], check=True)
    out = work / "out.bin"
    python = [sys.executable, "-c", API_SNIPPET]
    medsnap = [sys.executable, "-m", "medsnap"]
    env_path = str(REPO / "desktop")
    os.environ["PYTHONPATH"] = env_path + os.pathsep + os.environ.get("PYTHONPATH", "")
    commands = {
        ("seal", "api"): (python + ["seal", recipient, str(plain), str(out)], True),
        ("seal", "cli"): (medsnap + ["age", "-r", recipient, "-o", str(out), str(plain)], False),
        ("seal", "age"): ([age_bin, "-r", recipient, "-o", str(out), str(plain)], False),
        ("open", "api"): (python + ["open", str(key_file), str(sealed_age), str(out)], True),
        ("open", "cli"): (medsnap + ["age", "-d", "-i", str(key_file), "-o", str(out), str(sealed_age)], False),
        ("open", "age"): ([age_bin, "-d", "-i", str(key_file), "-o", str(out), str(sealed_age)], False),
    }
    rows = []
    for operation in ("seal", "open"):
        results = interleaved_medians({who: commands[(operation, who)] for who in ("api", "cli", "age")}, repeat, out)
        age_seconds = results["age"][0]
        for who, (seconds, peak) in results.items():
            rows.append((megabytes, operation, who, seconds, size / seconds / 1e6, age_seconds / seconds, peak))
    plain.unlink()
    sealed_age.unlink()
    out.unlink(missing_ok=True)
    return rows


def bench_scrypt(repeat: int) -> None:
    sealed = age.encrypt(b"wrapped keys", [age.ScryptRecipient("benchmark passphrase", log_n=18)])
    ours = []
    for _ in range(repeat):
        start = time.perf_counter()
        age.decrypt(sealed, [age.ScryptIdentity("benchmark passphrase")])
        ours.append(time.perf_counter() - start)
    line = f"scrypt unlock logN 18: medsnap {statistics.median(ours) * 1000:.0f} ms"
    try:
        import pyrage
    except ImportError:
        print(line + " (pyrage not installed, no peer)")
        return
    theirs = []
    for _ in range(repeat):
        start = time.perf_counter()
        pyrage.passphrase.decrypt(sealed, "benchmark passphrase")
        theirs.append(time.perf_counter() - start)
    peer = statistics.median(theirs)
    print(line + f", pyrage {peer * 1000:.0f} ms, ratio medsnap/pyrage time {statistics.median(ours) / peer:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,200", help="comma-separated sizes in MB")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    age_bin = shutil.which("age")
    if not age_bin:
        raise SystemExit("the `age` command is required (Debian package age)")
    print(f"peak RSS from {'GNU time' if GNU_TIME else '/proc VmHWM polling'}; median of {args.repeat} runs")
    with tempfile.TemporaryDirectory(prefix="medsnap-age-bench-") as directory:
        work = Path(directory)
        identity = age.X25519Identity.generate()
        key_file = work / "key.txt"
        key_file.write_text(age.identity_file_text(identity))
        recipient = identity.recipient().to_string()
        print(f"{'size':>6} {'op':<5} {'who':<4} {'seconds':>8} {'MB/s':>7} {'ours/age':>8} {'peak RSS':>10}")
        for megabytes in (int(s) for s in args.sizes.split(",")):
            for size, op, who, seconds, rate, ratio, peak in bench_size(work, megabytes, args.repeat, key_file, recipient, age_bin):
                print(f"{size:>4}MB {op:<5} {who:<4} {seconds:8.3f} {rate:7.0f} {ratio:8.2f} {peak / 1024:8.1f}MB")
    bench_scrypt(args.repeat)


if __name__ == "__main__":
    main()
