"""Benchmark the imaging core on a 24-megapixel JPEG against Pillow alone and ExifTool.

Each measurement runs in its own child process, so its peak RSS is its own:
  pillow-load       Image.open + load + convert("RGB")         (the decoding floor)
  load_picture      medsnap load: sniff, size check, ICC, orientation, detach pixels
  pillow-jpeg/png   Pillow decode + encode the whole picture (same encoder options)
  medsnap-jpeg/png  load_picture + encode_clean (fresh image, encode, verify_clean)
  find_metadata     our independent scanner over the source file's bytes
  exiftool          `exiftool -j -a -u -G1` over the same file (the reference reader)
Prints medians of N runs, ratios to the matching floor, and peak RSS / decoded size.

    .venv/bin/python benchmarks/imaging_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_sample import HEIGHT, OUT, WIDTH, sample_path  # noqa: E402

DECODED = WIDTH * HEIGHT * 3
QUALITY = 90


def child(kind: str, source: str) -> float:
    from PIL import Image

    from medsnap.imaging import encode_clean, find_metadata, load_picture

    data = Path(source).read_bytes() if kind == "find_metadata" else None
    start = time.perf_counter()  # imports above stay outside the timed work
    if kind == "pillow-load":
        with Image.open(source) as image:
            image.convert("RGB")
    elif kind == "load_picture":
        load_picture(source)
    elif kind in ("pillow-jpeg", "pillow-png"):
        with Image.open(source) as image:
            pixels = image.convert("RGB")
        target = OUT / f"imaging-bench-{kind}"
        if kind == "pillow-jpeg":
            pixels.save(target, "JPEG", quality=QUALITY, subsampling="4:2:0", optimize=False)
        else:
            pixels.save(target, "PNG", optimize=False, compress_level=6)
    elif kind in ("medsnap-jpeg", "medsnap-png"):
        fmt = kind.split("-")[1]
        (OUT / f"imaging-bench-{kind}").write_bytes(
            encode_clean(load_picture(source).image, fmt, quality=QUALITY))
    elif kind == "find_metadata":
        find_metadata(data)
    return time.perf_counter() - start


def measure(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS bytes, seconds the child reported or wall)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    reported = wall
    for line in output.splitlines():
        if line.startswith("elapsed="):
            reported = float(line.split("=", 1)[1])
    return wall, usage.ru_maxrss * 1024.0, reported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SOURCE"))
    options = parser.parse_args()
    if options.child:
        print(f"elapsed={child(*options.child)}")
        return
    source = str(sample_path())
    kinds = ["pillow-load", "load_picture", "pillow-jpeg", "medsnap-jpeg", "pillow-png",
             "medsnap-png", "find_metadata", "exiftool"]
    results: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in kinds}
    for _ in range(options.runs):  # interleaved, so drift affects every kind alike
        for kind in kinds:
            command = (["exiftool", "-j", "-a", "-u", "-G1", source] if kind == "exiftool"
                       else [sys.executable, __file__, "--child", kind, source])
            results[kind].append(measure(command))
    floors = {"load_picture": "pillow-load", "medsnap-jpeg": "pillow-jpeg",
              "medsnap-png": "pillow-png", "find_metadata": "exiftool"}
    print(f"source: {Path(source).name}, {Path(source).stat().st_size / 1e6:.1f} MB, "
          f"{WIDTH}x{HEIGHT}; decoded RGB {DECODED / 1e6:.0f} MB; median of {options.runs}")
    print(f"{'what':<15}{'work s':>9}{'ratio':>8}{'  vs':<15}{'peak RSS MB':>12}{'x decoded':>11}")
    for kind in kinds:
        work = statistics.median(r[2] for r in results[kind])
        rss = statistics.median(r[1] for r in results[kind])
        floor = floors.get(kind)
        ratio = work / statistics.median(r[2] for r in results[floor]) if floor else 1.0
        print(f"{kind:<15}{work:>9.3f}{ratio:>8.2f}  {floor or '':<13}{rss / 1e6:>12.0f}"
              f"{rss / DECODED:>11.2f}")
    print("(exiftool and find_metadata: whole-process wall time for exiftool, in-process "
          "scan time for find_metadata)")


if __name__ == "__main__":
    main()
