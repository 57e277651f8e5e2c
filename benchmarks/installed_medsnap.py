"""MedSnap installed as a clinician's workstation has it, for benchmarks that time commands.

The checkout's .venv holds MedSnap as an editable install: at every interpreter start its
``site`` runs setuptools' editable finder, which imports pathlib, fnmatch and re (~9-11 ms)
before any MedSnap code. An installed MedSnap (the wheel, as pip or the MSI puts it) has no
such finder. ``install_copy(folder)`` builds the wheel from a copy of this checkout and
installs it, compiled, into a virtual environment of its own in ``folder`` that finds the
third-party packages in the checkout's .venv (a plain path line: no .pth there runs), and
returns that environment's ``bin`` folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def install_copy(folder: Path) -> Path:
    source, wheels, venv = folder / "source", folder / "wheel", folder / "venv"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for part in ("desktop", "endpoint", "resources"):
        shutil.copytree(REPO / part, source / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
                   check=True, capture_output=True)
    [wheel] = wheels.glob("medsnap-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                                "get_paths()['purelib'])"], check=True, capture_output=True,
                               text=True).stdout.strip())
    (site / "medsnap-bench-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([*pip, "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    return venv / "bin"
