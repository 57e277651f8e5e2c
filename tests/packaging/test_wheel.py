"""The wheel builds, declares its programs, and they start from the wheel itself."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINTS = {
    "console_scripts": {"medsnap": "medsnap.cli:main", "medsnap-endpoint": "medsnap_endpoint.cli:main"},
    "gui_scripts": {"medsnapw": "medsnap.app:main"},
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy so that setuptools' build/ and egg-info never land in the shared tree.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in ("desktop", "endpoint", "resources"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [built] = out.glob("medsnap-*.whl")
    return built


def read_entry_points(wheel: Path) -> configparser.ConfigParser:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        parser = configparser.ConfigParser(delimiters=("=",))
        parser.optionxform = str  # keep names as written
        parser.read_string(archive.read(name).decode())
    return parser


def run_from_wheel(wheel: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(wheel), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, env=env, cwd="/")


def test_wheel_declares_every_program(wheel):
    entry_points = read_entry_points(wheel)
    for section, expected in ENTRY_POINTS.items():
        assert dict(entry_points[section]) == expected


def test_wheel_holds_the_packages(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("medsnap/cli/__init__.py", "medsnap/cli/desktop_entry.py", "medsnap/config/settings.py",
                   "medsnap/app.py", "medsnap_endpoint/cli.py"):
        assert module in names


def test_every_source_package_is_in_the_wheel(wheel):
    # pyproject lists the packages (resources/ needs a package name of its own): a new
    # package folder that is not listed there would silently be left out of the wheel
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in [*REPO.glob("desktop/**/__init__.py"), *REPO.glob("endpoint/**/__init__.py")]:
        inside = init.relative_to(REPO).parts[1:]
        if "__pycache__" not in inside and not any(p.endswith(".egg-info") for p in inside):
            assert "/".join(inside) in names, f"add {'.'.join(inside[:-1])} to pyproject's packages"


def test_icons_and_style_sheets_ship_inside_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for icon in (REPO / "resources" / "icons").glob("*.svg"):
        assert f"medsnap_resources/icons/{icon.name}" in names
    assert "medsnap_resources/style/editor.qss" in names
    assert "medsnap_resources/windows/medsnap.ico" in names
    assert not [n for n in names if n.startswith("resources/")]  # one copy, under its package


def test_the_app_finds_its_icons_in_the_wheel(wheel):
    script = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from medsnap.ui.icons import icon, resources_root, style_sheet\n"
        "assert str(resources_root()).startswith(sys.argv[1]), resources_root()\n"
        "assert not icon('save').isNull() and icon('no-such-icon').isNull()\n"
        "assert 'QToolBar' in style_sheet()\n"
        "print('ok')\n"
    )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = run_from_wheel(wheel, "-c", script, str(wheel))
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


def test_every_entry_point_resolves_inside_the_wheel(wheel):
    targets = [target for section in ENTRY_POINTS.values() for target in section.values()]
    script = (
        "import importlib, sys\n"
        "for target in sys.argv[1:]:\n"
        "    module_name, attribute = target.split(':')\n"
        "    module = importlib.import_module(module_name)\n"
        "    assert callable(getattr(module, attribute)), target\n"
        "    assert module.__file__.startswith(sys.path[1]), (target, module.__file__)\n"
    )
    # sys.path[0] is '' for -c; PYTHONPATH (the wheel) comes next.
    result = run_from_wheel(wheel, "-c", script, *targets)
    assert result.returncode == 0, result.stderr


def test_programs_start_from_the_wheel(wheel):
    medsnap = run_from_wheel(wheel, "-m", "medsnap", "--help")
    assert medsnap.returncode == 0 and "usage: medsnap" in medsnap.stdout, medsnap.stderr
    endpoint = run_from_wheel(wheel, "-m", "medsnap_endpoint", "--help")
    assert endpoint.returncode == 0 and "serve" in endpoint.stdout, endpoint.stderr


def test_windows_constraints_satisfy_the_declared_dependencies():
    # The Windows build pins exact versions; each must stay inside pyproject's own ranges.
    import tomllib

    from packaging.requirements import Requirement

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in (REPO / "packaging" / "windows" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pins[requirement.name.lower()] = next(iter(requirement.specifier)).version
    for text in declared:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"sys_platform": "win32"}):
            name = requirement.name.lower()
            assert name in pins, f"{name} is not pinned for Windows"
            assert requirement.specifier.contains(pins[name]), (name, pins[name], str(requirement.specifier))
