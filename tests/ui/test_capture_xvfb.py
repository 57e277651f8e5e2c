"""Region capture on a real X server: Xvfb, the xcb platform, real grabs, real overlays.

Each case runs the capture in a subprocess (tests/ui/capture_probe.py) against a window
painted with four known colours, at device pixel ratios 1, 1.5 and 2 (QT_SCALE_FACTOR), and
checks the captured region pixel for pixel, including where the colours meet.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from xvfb_support import running_xvfb

from tests.conftest import REPO

pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(shutil.which("Xvfb") is None,
                                                   reason="Xvfb is not installed")]
PROBE = Path(__file__).with_name("capture_probe.py")


@pytest.fixture(scope="module")
def xvfb():
    with running_xvfb("1280x800x24") as display:
        yield display


def run_probe(display: str, mode: str, start, end, scale: str = "1") -> dict:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale,
               QT_ENABLE_HIGHDPI_SCALING="1", PYTHONPATH=str(REPO))
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, str(PROBE), mode, f"{start[0]},{start[1]}",
                           f"{end[0]},{end[1]}"], env=env, capture_output=True, text=True,
                          timeout=90, cwd=REPO)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"probe failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1][len("RESULT "):])


RED, GREEN, BLUE, YELLOW = [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]


@pytest.mark.parametrize("scale", ["1", "1.5", "2"])
def test_captured_region_matches_the_screen(xvfb, scale):
    ratio = float(scale)
    # logical screen pixels: the pattern is at (100, 100), 400 x 300, colours meet at x=300
    result = run_probe(xvfb, "select", (150, 150), (450, 350), scale)
    assert result["screens"][0]["dpr"] == pytest.approx(ratio)
    assert result["editor_hidden"] and result["editor_visible"] and result["loaded"]
    assert result["size"] == [round(300 * ratio), round(200 * ratio)]
    width, height = result["size"]
    pixels = result["pixels"]
    boundary = round(150 * ratio)  # where red meets green in device pixels
    top, bottom = height // 4, 3 * height // 4
    assert pixels[f"0,{top}"] == RED and pixels[f"{boundary - 1},{top}"] == RED
    assert pixels[f"{boundary},{top}"] == GREEN and pixels[f"{width - 1},{top}"] == GREEN
    assert pixels[f"0,{bottom}"] == BLUE and pixels[f"{boundary - 1},{bottom}"] == BLUE
    assert pixels[f"{boundary},{bottom}"] == YELLOW


def test_escape_cancels_and_brings_the_editor_back(xvfb):
    result = run_probe(xvfb, "cancel", (150, 150), (450, 350))
    assert result["overlays"] == 1
    assert result["editor_visible"] and not result["document"]
    assert result["overlays_left"] == 0
