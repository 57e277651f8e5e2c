"""Editor performance against its floors, measured in one run (ratios, not absolute times).

1. Open-to-first-paint of a 24-megapixel JPEG in the editor vs Pillow's reduced (draft)
   decode of the same file (goal: within 1.5x).
2. Repaint time of the whole view at fit, 100% and 400% while panning (goal: < 16 ms).
3. Start-up to first paint of the editor window vs a bare PySide6 window (goal: within 1.5x).

    .venv/bin/python benchmarks/editor_bench.py [--runs N]

Runs on the offscreen Qt platform unless QT_QPA_PLATFORM is set (e.g. xcb under Xvfb).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def make_jpeg(path: Path, size=(6000, 4000)) -> None:
    small = Image.new("RGB", (600, 400))
    draw = ImageDraw.Draw(small)
    for y in range(400):
        draw.line((0, y, 600, y), fill=(200 - y // 4, 160 - y // 5, 140 + y // 8))
    for i in range(80):
        x, y, r = (i * 97) % 600, (i * 53) % 400, 10 + (i * 7) % 50
        draw.ellipse((x - r, y - r, x + r, y + r), fill=((i * 40) % 255, (i * 90) % 255, 120))
    big = small.resize(size, Image.BICUBIC).filter(ImageFilter.GaussianBlur(4))
    noise = Image.effect_noise(size, 16).convert("RGB")
    Image.blend(big, noise, 0.1).save(path, quality=90)


def pillow_draft(path: Path) -> float:
    start = time.perf_counter()
    with Image.open(path) as image:
        image.draft("RGB", (image.width // 8, image.height // 8))
        image.load()
    return time.perf_counter() - start


def editor_first_paint(app, window, path: Path) -> tuple[float, float]:
    """Seconds from open_path to the first paint of a picture, and to the full picture."""
    from PySide6.QtCore import QEventLoop, QTimer

    canvas = window.canvas
    canvas.set_document(None)
    canvas.set_picture(None)
    canvas.draft_painted_at = None
    window.document = None
    loaded: list[float] = []
    loop = QEventLoop()

    def done() -> None:
        loaded.append(time.perf_counter())
        loop.quit()

    window.picture_loaded.connect(done)
    QTimer.singleShot(60_000, loop.quit)
    # an idle event loop, as in the app: no polling competes with the loading thread
    start = time.perf_counter()
    window.open_path(str(path))
    loop.exec()
    window.picture_loaded.disconnect(done)
    if not loaded:
        raise RuntimeError(f"the picture did not load: {window.last_error}")
    first = canvas.draft_painted_at if canvas.draft_painted_at else canvas.picture_painted_at
    return first - start, loaded[0] - start


def repaint_times(window, scale: float, steps: int = 30) -> list[float]:
    canvas = window.canvas
    canvas.zoom_to(scale) if scale else canvas.zoom_fit()
    viewport = canvas.viewport()
    times = []
    for i in range(steps):
        canvas.view.pan_by(-23 if i % 10 < 5 else 23, -17 if i % 10 < 5 else 17)
        start = time.perf_counter()
        viewport.repaint()
        times.append(time.perf_counter() - start)
    return times


# Both programs report once their first Paint event has been handled (the 0-ms timer fires
# after the paint finishes).
# A top-level window paints its children while it handles UpdateRequest, so that counts too
# (a window fully covered by docks and screens gets no Paint of its own).
_REPORT = """
from PySide6.QtCore import QEvent, QObject, QTimer
class Report(QObject):
    def eventFilter(self, obj, event):
        if event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
            QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))
        return False
report = Report()
"""
STARTUP = {
    "bare": """
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
""" + _REPORT + """
w = QWidget(); w.resize(1280, 800); w.installEventFilter(report); w.show(); app.exec()
""",
    "editor": """
import sys
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QSettings
app = QApplication(sys.argv)
""" + _REPORT + """
from medsnap.ui.main_window import MainWindow
w = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
w.resize(1280, 800); w.canvas.viewport().installEventFilter(report); w.show(); app.exec()
""",
    # what `medsnap` does: style sheet, icons, whatever screen comes first (any widget's paint)
    "app": """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
""" + _REPORT + """
# a filter on the whole application would slow every event; watch the window as it is made
import medsnap.ui.main_window as editor
made = editor.MainWindow.__init__
def watched(self, *args, **kwargs):
    made(self, *args, **kwargs)
    self.installEventFilter(report)  # the window's own paint: first-run screens show too
editor.MainWindow.__init__ = watched
from medsnap.app import main
main([])
""",
}


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far; 0 on Windows."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def startup(kind: str, settings: str, source: Path = REPO / "desktop") -> tuple[float, float]:
    """Wall and CPU seconds of one whole process, from its start to its exit after the
    first paint (CPU time is less disturbed by other work on a shared machine)."""
    work = Path(settings).parent
    env = dict(os.environ, XDG_CONFIG_HOME=str(work / "config"),  # app.main's QSettings
               PYTHONPATH=str(source),
               # as installed (pip and the MSI compile bytecode): cached .pyc in a private
               # folder, so PYTHONDONTWRITEBYTECODE in a dev shell does not count compiling
               PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cpu = _children_cpu()
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", STARTUP[kind], settings], capture_output=True,
                         text=True, timeout=60, env=env)
    elapsed = time.perf_counter() - start
    if "painted" not in out.stdout:
        raise RuntimeError(f"{kind} window did not paint: {out.stderr[-500:]}")
    return elapsed, _children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-only", action="store_true",
                        help="measure only start-up to first paint (3.)")
    parser.add_argument("--baseline", type=Path,
                        help="also time start-up from this source tree (its 'desktop' folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="medsnap-editor-bench-"))
    if args.startup_only:
        return report_startup(args.runs, str(work / "settings.ini"), args.baseline)
    jpeg = work / "24mp.jpg"
    make_jpeg(jpeg)
    settings = str(work / "settings.ini")

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    from medsnap.ui.main_window import MainWindow

    window = MainWindow(QSettings(settings, QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    app.processEvents()

    drafts = [pillow_draft(jpeg) for _ in range(args.runs)]
    firsts, fulls = zip(*(editor_first_paint(app, window, jpeg) for _ in range(args.runs)))
    draft, first, full = (statistics.median(v) for v in (drafts, firsts, fulls))
    print(f"24 MP JPEG ({jpeg.stat().st_size / 1e6:.1f} MB), median of {args.runs}:")
    print(f"  Pillow draft decode      {draft * 1000:7.1f} ms")
    print(f"  editor first paint       {first * 1000:7.1f} ms   ratio {first / draft:.2f}x "
          f"(goal <= 1.5x)")
    print(f"  editor full resolution   {full * 1000:7.1f} ms   (in the background)")

    print(f"repaint of a {window.canvas.viewport().width()}x"
          f"{window.canvas.viewport().height()} view while panning (goal < 16 ms):")
    for label, scale in (("fit", 0.0), ("100%", 1.0), ("400%", 4.0)):
        times = repaint_times(window, scale)
        print(f"  {label:5} median {statistics.median(times) * 1000:6.2f} ms   "
              f"max {max(times) * 1000:6.2f} ms")
    window.close()
    return report_startup(args.runs, settings, args.baseline)


def report_startup(runs: int, settings: str, baseline: Path | None = None) -> int:
    """Interleaved runs, so that a busy moment on the machine affects every kind alike.
    ``baseline``: another source tree (e.g. ``git archive`` of an older commit) measured in
    the same run, for before/after figures."""
    trees = {"": REPO / "desktop"}
    if baseline is not None:
        trees[" (baseline)"] = baseline
    kinds = [(kind, tag, tree) for tag, tree in trees.items() for kind in STARTUP
             if not (tag and kind == "bare")]
    for kind, _tag, tree in kinds:  # warm-up: bytecode written, files in the page cache
        startup(kind, settings, tree)
    times: dict[tuple[str, str], list[float]] = {(k, t): [] for k, t, _ in kinds}
    cpus: dict[tuple[str, str], list[float]] = {(k, t): [] for k, t, _ in kinds}
    for _ in range(runs):
        for kind, tag, tree in kinds:
            elapsed, cpu = startup(kind, settings, tree)
            times[kind, tag].append(elapsed)
            cpus[kind, tag].append(cpu)
    bare, bare_min = statistics.median(times["bare", ""]), min(times["bare", ""])
    print(f"start-up to first paint, median (and fastest) of {runs} (goal <= 1.5x):")
    print(f"  bare PySide6 window                  {bare * 1000:7.1f} ms  ({bare_min * 1000:5.1f})")
    for tag in trees:
        for kind, label in (("editor", "MedSnap editor window"), ("app", "medsnap (app.main)")):
            median, fastest = statistics.median(times[kind, tag]), min(times[kind, tag])
            print(f"  {label + tag:36} {median * 1000:7.1f} ms  ({fastest * 1000:5.1f})   "
                  f"ratio {median / bare:.2f}x  ({fastest / bare_min:.2f}x)")
    bare_cpu = statistics.median(cpus["bare", ""])
    if bare_cpu:
        print("CPU time (user + system) of the same processes, median:")
        print(f"  bare PySide6 window                  {bare_cpu * 1000:7.1f} ms")
        for tag in trees:
            for kind, label in (("editor", "MedSnap editor window"),
                                ("app", "medsnap (app.main)")):
                cpu = statistics.median(cpus[kind, tag])
                print(f"  {label + tag:36} {cpu * 1000:7.1f} ms   ratio {cpu / bare_cpu:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
