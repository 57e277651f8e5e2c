"""Test-wide environment: headless Qt, a private runtime dir, shared fixture paths."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("XDG_RUNTIME_DIR") or not os.path.isdir(os.environ["XDG_RUNTIME_DIR"]):
    runtime = tempfile.mkdtemp(prefix="medsnap-xdg-")
    os.chmod(runtime, 0o700)
    os.environ["XDG_RUNTIME_DIR"] = runtime

REPO = Path(__file__).resolve().parent.parent
