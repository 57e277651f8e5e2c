"""Toolbar and window icons (SVG line icons) and style sheets, from MedSnap's resources.

Installed, the resources are the package ``medsnap_resources`` (the top-level ``resources/``
folder mapped into the wheel by pyproject.toml), found through the import system;
in a source checkout that has not been installed they are found next to the code, and in
the PyInstaller build under its bundle folder (packaging/windows/pyinstaller/medsnap.spec).
Icons are made when first asked for and kept; each style sheet is read once.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_SOURCE_TREE = Path(__file__).resolve().parents[3] / "resources"


@lru_cache(maxsize=1)
def resources_root() -> Traversable:
    """The resources folder: the installed package if there is one, else the source tree."""
    spec = importlib.util.find_spec("medsnap_resources")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "icons").is_dir():
                return Path(location)  # a folder (the usual install): no importlib.resources
        from importlib import resources  # ~10 ms of imports: only inside a zip

        root = resources.files("medsnap_resources")
        if root.joinpath("icons").is_dir():
            return root
    bundle = getattr(sys, "_MEIPASS", None)  # the Windows build (PyInstaller puts them here)
    if bundle and (Path(bundle) / "resources" / "icons").is_dir():
        return Path(bundle) / "resources"
    return _SOURCE_TREE


#: compatibility for callers that join paths themselves (a Traversable: use / and read_*)
RESOURCES = resources_root()


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon ``icons/<name>.svg`` (an empty icon if there is no such file)."""
    entry = resources_root().joinpath("icons", f"{name}.svg")
    if not entry.is_file():
        return QIcon()
    if isinstance(entry, Path):
        return QIcon(str(entry))  # scalable: rendered at whatever size is asked for
    from PySide6.QtGui import QPixmap  # inside a zip (run from the wheel file itself)

    pixmap = QPixmap()
    pixmap.loadFromData(entry.read_bytes(), "SVG")
    return QIcon(pixmap)


@lru_cache(maxsize=None)
def style_sheet(name: str = "editor") -> str:
    """The style sheet ``style/<name>.qss`` ('' if missing), read once per process."""
    entry = resources_root().joinpath("style", f"{name}.qss")
    return entry.read_text(encoding="utf-8") if entry.is_file() else ""
