"""Benchmark `medsnap export` on a 24-megapixel photo against Pillow, ExifTool and mat2.

One run measures, each in its own child process (so peak RSS is that child's alone):
  floor       Pillow alone: decode, crop, encode the same pixels (same options)
  function    medsnap.exporting.export_document: load, crop, 10 annotations, 2 redactions
  cli         `python -m medsnap export` with the same work, whole process
  exiftool    `exiftool -all= -o OUT IN`   (strips tags; does not crop or re-encode)
  mat2        `mat2 --inplace COPY`        (its own cleaning of the same file)
and prints medians of N runs, ratios against the floor and peak RSS against the decoded
image size (6000 x 4000 x 3 bytes). Goals: JPEG function path <= 1.5x the floor; peak RSS
< 4x the decoded size.

    .venv/bin/python benchmarks/export_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_sample import HEIGHT, OUT, WIDTH, sample_path  # noqa: E402

CROP = (1000, 500, 4000, 3000)  # x, y, w, h: the record panel and some surroundings
REDACTIONS = ((1300, 940, 2600, 90), (3900, 2600, 500, 300))
DECODED = WIDTH * HEIGHT * 3
QUALITY = 90


def ten_annotations() -> list:
    from medsnap.document import (Arrow, Ellipse, Highlighter, Line, Marker, Pen, Rect,
                                  Rectangle, Style, Text)
    red, blue = Style(colour="#E53935", width=12), Style(colour="#1E88E5", width=8)
    return [
        Arrow(start=(3600, 2900), end=(2500, 1500), style=red),
        Arrow(start=(1100, 3300), end=(1500, 2200), style=blue),
        Line(start=(1300, 1200), end=(4300, 1200), style=blue),
        Rectangle(rect=Rect(1250, 1400, 1800, 300), style=red),
        Ellipse(rect=Rect(3000, 2000, 900, 500), style=Style(colour="#43A047", width=10,
                                                              fill="#43A04733")),
        Pen(points=tuple((1300 + i * 25, 2500 + (i % 7) * 18) for i in range(120)),
            style=red),
        Highlighter(points=((1320, 1660), (3600, 1660)), style=Style(colour="#FFEB3B",
                                                                    width=60)),
        Text(text="Query: ECG changes since admission?\nPlease review before 14:00.",
             position=(2700, 2900), box_width=1300, style=Style(colour="#B71C1C",
                                                                font_size=56)),
        Marker(number=1, centre=(1200, 1450), style=Style(font_size=60)),
        Marker(number=2, centre=(2950, 2250), style=Style(font_size=60)),
    ]


def document_for(path: Path):
    from medsnap.document import AddAnnotation, Document, Rect, Redaction, SetCrop
    from medsnap.exporting import load_for_export

    document = Document(load_for_export(path))
    SetCrop(None, Rect(*CROP)).apply(document)
    for annotation in ten_annotations():
        AddAnnotation(annotation).apply(document)
    for box in REDACTIONS:
        AddAnnotation(Redaction(rect=Rect(*box))).apply(document)
    return document


# -- child processes: the parent prints the wall and CPU seconds their work took -----------

def child_floor(source: str, out: str, fmt: str) -> None:
    from PIL import Image
    with Image.open(source) as image:
        x, y, w, h = CROP
        cropped = image.crop((x, y, x + w, y + h))
    if fmt == "jpeg":
        cropped.save(out, "JPEG", quality=QUALITY, subsampling="4:2:0", optimize=False)
    else:
        cropped.save(out, "PNG", optimize=False, compress_level=6)


def child_function(source: str, out: str, fmt: str) -> None:
    from medsnap.exporting import export_document
    export_document(document_for(Path(source)), out, fmt, QUALITY)


def draft_json() -> Path:
    from medsnap.document import Document, document_to_json
    document = Document(size=(WIDTH, HEIGHT), annotations=ten_annotations())
    target = OUT / "export-bench-draft.json"
    target.write_text(json.dumps(document_to_json(document)))
    return target


# -- the parent ---------------------------------------------------------------------------

# Children run as an installed app does: with compiled bytecode (kept in a private folder, so
# PYTHONDONTWRITEBYTECODE in a developer's shell does not make every run recompile MedSnap).
CHILD_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
             "QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(OUT / "pycache")}


def measure(command: list[str]) -> tuple[float, float, float, tuple[float, float] | None]:
    """(wall s, CPU s, peak RSS bytes, (work wall s, work CPU s) the child reported or None).

    CPU seconds are steadier than wall time on a shared machine; both are reported."""
    with open(OUT / "export-bench-child.log", "w+b") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=CHILD_ENV)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    reported = None
    for line in output.splitlines():
        if line.startswith("work="):
            wall_s, cpu_s = line.split("=", 1)[1].split(",")
            reported = (float(wall_s), float(cpu_s))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024.0, reported


def run_child(kind: str, *args: str) -> list[str]:
    return [sys.executable, __file__, "--child", kind, *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "SOURCE", "OUT", "FORMAT"))
    options = parser.parse_args()
    if options.child:
        kind, source, out, fmt = options.child
        # imports before the clock: Pillow for the floor, MedSnap's core (Pillow included)
        # for the function; Qt is imported inside the timed work, on first paint.
        __import__("PIL.Image" if kind == "floor" else "medsnap.exporting")
        wall, cpu = time.perf_counter(), time.process_time()
        {"floor": child_floor, "function": child_function}[kind](source, out, fmt)
        print(f"work={time.perf_counter() - wall},{time.process_time() - cpu}")
        return
    source = sample_path()
    draft = draft_json()
    print(f"sample: {source.name}, {source.stat().st_size / 1e6:.1f} MB, {WIDTH}x{HEIGHT}; "
          f"crop {CROP[2]}x{CROP[3]}, 10 annotations, 2 redactions; {options.runs} runs\n")
    crop_arg = ",".join(map(str, CROP))
    redact_args = [arg for box in REDACTIONS for arg in ("--redact", ",".join(map(str, box)))]
    variants: dict[str, callable] = {}
    for fmt, suffix in (("jpeg", ".jpg"), ("png", ".png")):
        out = str(OUT / f"export-bench-out{suffix}")
        variants[f"floor {fmt}"] = lambda o=out, f=fmt: run_child("floor", str(source), o, f)
        variants[f"function {fmt}"] = lambda o=out, f=fmt: run_child("function", str(source),
                                                                     o, f)
        variants[f"cli {fmt}"] = lambda o=out: [
            sys.executable, "-m", "medsnap", "export", str(source), "-o", o, "--crop",
            crop_arg, *redact_args, "--annotations", str(draft), "--quality", str(QUALITY),
            "--force"]
    if shutil.which("exiftool"):
        variants["exiftool -all="] = lambda: ["exiftool", "-q", "-all=", "-o",
                                              str(OUT / "export-bench-exiftool.jpg"),
                                              str(source)]
    mat2_copy = OUT / "export-bench-mat2.jpg"
    if shutil.which("mat2"):
        variants["mat2 --inplace"] = lambda: ["mat2", "--inplace", str(mat2_copy)]
    samples: dict[str, list] = {name: [] for name in variants}
    for name, command in variants.items():  # warm-up, not counted: bytecode and file cache
        shutil.copyfile(source, mat2_copy)
        measure(command())
    for _ in range(options.runs):  # round-robin, so a busy moment hurts every variant alike
        for name, command in variants.items():
            for leftover in OUT.glob("export-bench-exiftool*"):
                leftover.unlink()
            shutil.copyfile(source, mat2_copy)
            samples[name].append(measure(command()))
    results = {}
    for name, rows in samples.items():
        reported = [row[3] for row in rows if row[3] is not None]
        results[name] = {
            "wall": statistics.median(row[0] for row in rows),
            "cpu": statistics.median(row[1] for row in rows),
            "rss": max(row[2] for row in rows),
            "work": statistics.median(r[0] for r in reported) if reported else None,
            "work_cpu": statistics.median(r[1] for r in reported) if reported else None}
    report(results)


def report(results: dict[str, dict]) -> None:
    columns = (("work", "work s"), ("work_cpu", "work CPU s"), ("wall", "process s"),
               ("cpu", "process CPU s"))
    print(f"{'variant':<16}" + "".join(f"{title:>15}" for _, title in columns)
          + f"{'peak RSS MB':>13}{'x decoded':>11}")
    for name, row in results.items():
        floor = results["floor png" if name.endswith("png") else "floor jpeg"]
        cells = []
        for key, _ in columns:
            if row[key] is None:
                cells.append(f"{'-':>15}")
            else:
                cells.append(f"{row[key]:>8.2f} ({row[key] / floor[key]:.2f}x)".rjust(15))
        print(f"{name:<16}" + "".join(cells)
              + f"{row['rss'] / 1e6:>13.0f}{row['rss'] / DECODED:>11.2f}")
    print(f"\n(Nx) = ratio to the Pillow floor of the same format. Decoded image: "
          f"{DECODED / 1e6:.0f} MB.\nexiftool and mat2 strip the whole file (no crop, no "
          "drawing, no re-encode by exiftool) and are compared with the JPEG floor.")


if __name__ == "__main__":
    main()
