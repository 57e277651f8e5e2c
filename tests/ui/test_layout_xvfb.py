"""Layout at the default window size on a 1280x800 screen, in a real X window (Xvfb): with a
burned-in radiograph's caution and Window bars, choosing Crop moves neither the picture nor
its zoom, leaving it does not widen the window, and the last tool of the strip is not cut."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.ui.test_capture_xvfb import xvfb  # noqa: F401 - the Xvfb fixture

pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(shutil.which("Xvfb") is None,
                                                   reason="Xvfb is not installed")]
PROBE = Path(__file__).with_name("layout_probe.py")


def test_crop_and_the_tool_strip_at_1088x680(xvfb):  # noqa: F811
    env = dict(os.environ, DISPLAY=xvfb, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(REPO))
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True,
                          text=True, timeout=90, cwd=REPO)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"probe failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    result = json.loads(lines[-1][len("RESULT "):])
    assert result["opened"][0] == 1088
    assert result["crop"] == result["opened"]  # nothing moved, same zoom
    assert result["select"][:5] == result["opened"][:5]  # not widened (it grew to 1319)
    assert result["last_tool_bottom"] <= result["strip_height"]  # the brush was cut off
