"""age throughput: medsnap's streaming age v1 against the `age` command, same files, one run.

Run: .venv/bin/python benchmarks/age_throughput.py [--sizes 5,200] [--repeat 5]

For each size (MB of random data) it seals (encrypts to one X25519 recipient) and opens
(decrypts) the same file with:
  api    medsnap.crypto.age.encrypt_stream / decrypt_stream in a fresh Python process,
         timed inside the process (interpreter start-up excluded)
  cli    `medsnap age` as a whole process (start-up included, like the age command)
  age    the Debian `age` command as a whole process
Each figure is the median of --repeat runs, interleaved; MB/s = 10^6 bytes per second.
Ratios are ours / age throughput (>= 1.0 means at least as fast as age), by wall time and by
CPU time (user + system; steadier than wall time when other work shares the machine). Peak RSS is each process's own maximum
resident set (GNU time's %M when /usr/bin/time exists, else /proc VmHWM sampled every 2 ms),
shown for every size so that flat memory can be seen. Finally the scrypt unlock time at
logN 18 (medsnap ScryptIdentity vs pyrage, in process).
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "desktop"))

from medsnap.crypto import age  # noqa: E402

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
API_SNIPPET = """
import sys, time
from medsnap.crypto import age
mode, key, src, dst = sys.argv[1:5]
cpu_start = time.process_time()
with open(src, "rb") as s, open(dst, "wb") as d:
    start = time.perf_counter()
    if mode == "seal":
        age.encrypt_stream(s, d, [age.X25519Recipient.from_string(key)])
    else:
        age.decrypt_stream(s, d, age.parse_identities(open(key).read()))
    d.flush()
    wall = time.perf_counter() - start
cpu = time.process_time() - cpu_start
print(wall, cpu)
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


def measure(command: list[str]) -> tuple[float, float, int, str]:
    """Run ``command``; return (wall seconds, CPU seconds, peak RSS in KiB, stdout)."""
    with tempfile.NamedTemporaryFile("r") as usage_file:
        full = [GNU_TIME, "-f", "%M", "-o", usage_file.name, *command] if GNU_TIME else command
        # CPU of the command and its descendants (GNU time waits for its child), in microseconds.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0 if GNU_TIME else _peak_by_polling(process)
        out, err = process.communicate()
        wall = time.perf_counter() - start
        if process.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {err}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if GNU_TIME:
            peak = int(usage_file.read().split()[-1])
    return wall, cpu, peak, out


def interleaved_medians(
    commands: dict[str, tuple[list[str], bool]], repeat: int, output: Path
) -> dict[str, tuple[float, float, int]]:
    """Run each command ``repeat`` times, round-robin so load changes hit all alike.

    Returns per command the median wall time, median CPU time (user + system) and peak RSS.
    """
    walls: dict[str, list[float]] = {who: [] for who in commands}
    cpus: dict[str, list[float]] = {who: [] for who in commands}
    peaks: dict[str, int] = {who: 0 for who in commands}
    for _ in range(repeat):
        for who, (command, inner_time) in commands.items():
            output.unlink(missing_ok=True)  # every run writes a fresh file (no truncation cost)
            wall, cpu, peak, out = measure(command)
            if inner_time:  # the API process timed the operation itself
                wall, cpu = (float(x) for x in out.split()[-2:])
            walls[who].append(wall)
            cpus[who].append(cpu)
            peaks[who] = max(peaks[who], peak)
    return {who: (statistics.median(walls[who]), statistics.median(cpus[who]), peaks[who]) for who in commands}


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
        age_wall, age_cpu, _ = results["age"]
        for who, (wall, cpu, peak) in results.items():
            rows.append((megabytes, operation, who, wall, size / wall / 1e6, age_wall / wall, cpu, age_cpu / cpu, peak))
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
        print(f"{'size':>6} {'op':<5} {'who':<4} {'wall s':>7} {'MB/s':>6} {'ours/age':>8} "
              f"{'cpu s':>6} {'cpu ours/age':>12} {'peak RSS':>9}")
        for megabytes in (int(s) for s in args.sizes.split(",")):
            rows = bench_size(work, megabytes, args.repeat, key_file, recipient, age_bin)
            for size, op, who, wall, rate, ratio, cpu, cpu_ratio, peak in rows:
                print(f"{size:>4}MB {op:<5} {who:<4} {wall:7.3f} {rate:6.0f} {ratio:8.2f} "
                      f"{cpu:6.3f} {cpu_ratio:12.2f} {peak / 1024:7.1f}MB")
    bench_scrypt(args.repeat)


if __name__ == "__main__":
    main()
