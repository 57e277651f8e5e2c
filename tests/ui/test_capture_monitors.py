"""Region capture on two monitors with different scaling, on a real X server.

Xvfb shows Qt only one screen, so this runs Xorg with the dummy video driver and two
virtual outputs side by side (DUMMY0 1280x800 at 0,0 and DUMMY1 1024x768 at 1280,0, both
RandR monitors Qt sees as two QScreens), and gives each its own scale factor through
QT_SCREEN_SCALE_FACTORS. The probe (tests/ui/capture_monitors_probe.py) paints every root
pixel with a colour that encodes its position, captures with real overlays and real grabs,
and the captured PNGs are compared pixel for pixel with what those root pixels must be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.conftest import REPO

DUMMY_DRIVER = Path("/usr/lib/xorg/modules/drivers/dummy_drv.so")
pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(shutil.which("Xorg") is None,
                       reason="Xorg is not installed (Debian: xserver-xorg-core)"),
    pytest.mark.skipif(not DUMMY_DRIVER.exists(), reason="Xorg's dummy video driver is not "
                       "installed (Debian: xserver-xorg-video-dummy)"),
]
PROBE = Path(__file__).with_name("capture_monitors_probe.py")
NOBODY = 65534

# Two virtual monitors: "Enable" switches on an output with nothing plugged in.
XORG_CONF = """
Section "ServerFlags"
  Option "AutoAddDevices" "false"
  Option "AutoEnableDevices" "false"
EndSection
Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam 32768
  Option "Monitor-DUMMY0" "left"
  Option "Monitor-DUMMY1" "right"
EndSection
Section "Monitor"
  Identifier "left"
  HorizSync 5.0-1000.0
  VertRefresh 5.0-200.0
  Option "PreferredMode" "1280x800"
  Option "Position" "0 0"
  Option "Primary" "true"
EndSection
Section "Monitor"
  Identifier "right"
  HorizSync 5.0-1000.0
  VertRefresh 5.0-200.0
  Option "Enable" "true"
  Option "PreferredMode" "1024x768"
  Option "Position" "1280 0"
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  Monitor "left"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
    Virtual 2304 800
  EndSubSection
EndSection
"""
LEFT = (0, 0, 1280, 800)  # root pixels
RIGHT = (1280, 0, 1024, 768)


@pytest.fixture(scope="module")
def two_monitors():
    """Xorg on a display it picks itself (-displayfd), run as nobody when we are root so it
    never touches a virtual terminal; killed at the end."""
    work = Path(tempfile.mkdtemp(prefix="medsnap-xorg-"))
    (work / "conf.d").mkdir()
    # a file of our own so Xorg reads no snippets of the machine's /etc/X11/xorg.conf.d
    (work / "conf.d" / "00-medsnap-test.conf").write_text("# intentionally empty\n")
    (work / "xorg.conf").write_text(XORG_CONF)
    drop: list[str] = []
    if os.geteuid() == 0:
        for path in (work, work / "conf.d"):
            os.chown(path, NOBODY, NOBODY)
        drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [*drop, "Xorg", "-displayfd", str(write_end), "-config", str(work / "xorg.conf"),
         "-configdir", str(work / "conf.d"), "-noreset", "-nolisten", "tcp",
         "-logfile", str(work / "xorg.log")],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=work)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # written once the server accepts clients
    try:
        if not number or server.poll() is not None:
            log = (work / "xorg.log").read_text(errors="replace")[-3000:] \
                if (work / "xorg.log").exists() else "(no log)"
            pytest.fail(f"Xorg with the dummy driver did not start:\n{log}")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def run_probe(display: str, scales: tuple[str, str], out: Path, *drags: str) -> dict:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb",
               QT_ENABLE_HIGHDPI_SCALING="1", PYTHONPATH=str(REPO),
               QT_SCREEN_SCALE_FACTORS=f"DUMMY0={scales[0]};DUMMY1={scales[1]}")
    for name in ("WAYLAND_DISPLAY", "QT_SCALE_FACTOR", "QT_AUTO_SCREEN_SCALE_FACTOR"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, str(PROBE), str(out), *drags], env=env,
                          capture_output=True, text=True, timeout=90, cwd=REPO)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"probe failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1][len("RESULT "):])


def root_pixels(left: int, top: int, width: int, height: int) -> Image.Image:
    """What the probe painted on root pixels [left, left+width) x [top, top+height)."""
    data = bytearray()
    for y in range(top, top + height):
        for x in range(left, left + width):
            data += bytes((x % 256, y % 256, (x // 256) * 16 + y // 256))
    return Image.frombytes("RGB", (width, height), bytes(data))


def assert_same_pixels(png: Path, expected: Image.Image) -> None:
    captured = Image.open(png).convert("RGB")
    assert captured.size == expected.size, f"captured {captured.size}, expected {expected.size}"
    differing = ImageChops.difference(captured, expected).getbbox()
    assert differing is None, f"captured pixels differ from the screen within {differing}"


# Drag points in root pixels, chosen so that every scale here maps them to whole logical
# pixels: (780, 120) on the left monitor to (1520, 600) on the right one; and
# (1340, 60) to (1820, 480), wholly on the right monitor.
ACROSS = "780,120:1520,600"
ON_RIGHT = "1340,60:1820,480"


@pytest.mark.parametrize("scales", [("1.25", "2"), ("1.5", "1"), ("2", "1.25")],
                         ids=lambda s: f"{s[0]}-{s[1]}")
def test_capture_on_two_monitors_with_different_scaling(two_monitors, tmp_path, scales):
    result = run_probe(two_monitors, scales, tmp_path, ACROSS, ON_RIGHT)
    left_ratio, right_ratio = float(scales[0]), float(scales[1])
    assert [s["name"] for s in result["screens"]] == ["DUMMY0", "DUMMY1"]
    assert [s["dpr"] for s in result["screens"]] == [left_ratio, right_ratio]
    # Qt keeps each monitor's top-left in root pixels and scales its size about it
    assert result["screens"][0]["geometry"][:2] == [0, 0]
    assert result["screens"][1]["geometry"][:2] == [1280, 0]
    across, on_right = result["captures"]
    for capture in (across, on_right):
        assert capture["editor_hidden"] and capture["captured"] and capture["loaded"]
        assert capture["overlays"] == [s["geometry"] for s in result["screens"]]

    # A drag that leaves its monitor keeps to it (one overlay per monitor, each over its
    # own grab): the part on the left monitor, up to its right edge, nothing of the other.
    expected = root_pixels(780, 120, LEFT[2] - 780, 600 - 120)
    assert across["document_size"] == [500, 480]
    assert_same_pixels(tmp_path / "capture-0.png", expected)

    expected = root_pixels(1340, 60, 1820 - 1340, 480 - 60)
    assert on_right["document_size"] == [480, 420]
    assert_same_pixels(tmp_path / "capture-1.png", expected)
