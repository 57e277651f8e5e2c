"""Architecture contract: the core never imports QtWidgets; the endpoint never imports the UI."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "desktop" / "medsnap"
ENDPOINT = REPO / "endpoint" / "medsnap_endpoint"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_ui_and_app_import_qtwidgets():
    offenders = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP)
        if relative.parts[0] == "ui" or relative == Path("app.py"):
            continue
        if any("QtWidgets" in name for name in imported_modules(path)):
            offenders.append(str(relative))
    assert offenders == []


def test_core_packages_do_not_import_qt_at_all():
    # imaging, document, crypto and messaging are pure Python; only render.py paints.
    offenders = []
    for package in ("imaging", "document", "crypto", "messaging"):
        for path in (APP / package).rglob("*.py"):
            if any(name.startswith("PySide6") for name in imported_modules(path)):
                offenders.append(str(path.relative_to(APP)))
    assert offenders == []


def test_endpoint_never_imports_the_ui():
    offenders = [
        str(path.relative_to(ENDPOINT))
        for path in ENDPOINT.rglob("*.py")
        if any(name.startswith("medsnap.ui") for name in imported_modules(path))
    ]
    assert offenders == []


def test_the_contract_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6 import QtWidgets\nimport PySide6.QtWidgets\n")
    assert any("QtWidgets" in name for name in imported_modules(bad))
