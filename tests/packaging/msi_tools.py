"""Shared helpers for the MSI tests: import the packaging scripts by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

WINDOWS = Path(__file__).resolve().parents[2] / "packaging" / "windows"


def load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, WINDOWS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
