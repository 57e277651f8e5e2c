"""Install MedSnap into the desktop's application menu (Linux and other XDG desktops).

``medsnap --install-desktop-entry [--system] [--data-dir DIR]`` copies the desktop entry,
the AppStream metainfo and the icons into the user's XDG data folder (``$XDG_DATA_HOME``, by
default ``~/.local/share``), or with ``--system`` into ``/usr/local/share``. The entry's Exec
line points at the ``medsnap`` that is running, so a virtual environment's copy works too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from medsnap.errors import MedSnapError

APP_ID = "org.medsnap.MedSnap"
SYSTEM_DATA_DIR = Path("/usr/local/share")
_SAFE_ARGUMENT = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


class DesktopEntryError(MedSnapError):
    """The desktop entry could not be installed."""

    exit_code = 5


def resources_dir() -> Path:
    """The ``resources/linux`` folder of this source tree (editable installs and checkouts)."""
    candidate = Path(__file__).resolve().parents[3] / "resources" / "linux"
    if not (candidate / f"{APP_ID}.desktop").is_file():
        raise DesktopEntryError(
            "MedSnap's desktop files are not part of this installation, so nothing was changed. "
            "Install MedSnap from its source folder (scripts/install) and run this again."
        )
    return candidate


def user_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    configured = environ.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if configured and os.path.isabs(configured):
        return Path(configured)
    return Path.home() / ".local" / "share"


def launcher_command() -> list[str]:
    """How the desktop should start this MedSnap: the script beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name("medsnap")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("medsnap")
    if found:
        return [found]
    return [sys.executable, "-m", "medsnap"]


def quote_exec_argument(argument: str) -> str:
    """Quote one argument for an Exec key (Desktop Entry spec, "The Exec key")."""
    if _SAFE_ARGUMENT.fullmatch(argument):
        return argument
    inner = re.sub(r'(["`$\\])', r"\\\1", argument)
    # The whole value is then a string value, whose own escape for a backslash is "\\".
    return '"' + inner.replace("\\", "\\\\") + '"'


def render_desktop_entry(template: str, command: Sequence[str]) -> str:
    exec_value = " ".join(quote_exec_argument(part) for part in command)
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value} %f"
        elif line.startswith("TryExec="):
            line = f"TryExec={command[0]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(data_dir: Path, command: Sequence[str], resources: Path | None = None) -> list[Path]:
    """Write the entry, metainfo and icons under ``data_dir``; returns the files written."""
    resources = resources_dir() if resources is None else resources
    template = (resources / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    planned: list[tuple[Path, bytes]] = [
        (data_dir / "applications" / f"{APP_ID}.desktop", render_desktop_entry(template, command).encode()),
        (data_dir / "metainfo" / f"{APP_ID}.metainfo.xml", (resources / f"{APP_ID}.metainfo.xml").read_bytes()),
    ]
    for png in sorted((resources / "icons").rglob("*.png")):
        planned.append((data_dir / "icons" / png.relative_to(resources / "icons"), png.read_bytes()))
    svg = resources.parent / "icons" / "medsnap.svg"
    if svg.is_file():
        planned.append((data_dir / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg", svg.read_bytes()))
    for target, content in planned:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    _refresh_caches(data_dir)
    return [target for target, _ in planned]


def _refresh_caches(data_dir: Path) -> None:
    # Optional helpers; menus also notice new files without them, just more slowly.
    helpers = [
        ["update-desktop-database", "-q", str(data_dir / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(data_dir / "icons" / "hicolor")],
    ]
    for helper in helpers:
        if shutil.which(helper[0]):
            subprocess.run(helper, check=False, capture_output=True, timeout=60)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="medsnap --install-desktop-entry",
        description="Add MedSnap to the desktop's application menu.",
    )
    parser.add_argument("--system", action="store_true", help=f"install for every user into {SYSTEM_DATA_DIR} (needs root)")
    parser.add_argument("--data-dir", type=Path, help="install into this XDG data folder instead")
    args = parser.parse_args(list(argv))
    data_dir = args.data_dir or (SYSTEM_DATA_DIR if args.system else user_data_dir())
    try:
        written = install(data_dir, launcher_command())
    except PermissionError as error:
        raise DesktopEntryError(
            f"MedSnap could not write to {error.filename or data_dir}, so the menu entry is incomplete. "
            "Run the command again as an administrator (for example with sudo), or without --system."
        ) from error
    except OSError as error:
        raise DesktopEntryError(
            f"MedSnap could not install its menu entry into {data_dir} ({error.strerror}). "
            "Check that the folder is writable and has free space, then run this again."
        ) from error
    print(f"Installed the MedSnap menu entry into {data_dir} ({len(written)} files).")
    return 0
