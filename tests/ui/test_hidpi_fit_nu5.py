"""At QT_SCALE_FACTOR=1.5 on a 1600x900 screen (NU5): the editor, restoring a size kept at
scale 1, opened taller than the screen once the window manager added its title bar (the
status bar was cut off until maximised); and after a send the outcome ("Sent to … at 06:18;
signed and encrypted") could be below the fold of the scrolled Send panel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from send_receive_support import no_draft_left, running_ward, send_to, signed_in_window
from xvfb_support import running_xvfb

from tests.conftest import REPO

PROBE = Path(__file__).with_name("screen_fit_probe.py")


@pytest.fixture
def x_with_window_manager():
    """Xvfb at 1600x900 with openbox managing its windows (frames, title bars)."""
    if shutil.which("Xvfb") is None or shutil.which("openbox") is None:
        pytest.skip("Xvfb and openbox are needed (scripts/install --test installs them)")
    with running_xvfb("1600x900x24") as display:
        manager = subprocess.Popen(["openbox"], env=dict(os.environ, DISPLAY=display),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield display
        finally:
            manager.terminate()
            manager.wait(10)


def _probe(display: str, mode: str, settings: Path, scale: str) -> dict:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=scale,
               PYTHONPATH=str(REPO))
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, str(PROBE), mode, str(settings)], env=env,
                          capture_output=True, text=True, timeout=90, cwd=REPO)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"probe failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.mark.xvfb
def test_a_kept_size_fits_with_the_window_managers_frame_at_scale_one_and_a_half(
        x_with_window_manager, tmp_path):
    settings = tmp_path / "s.ini"
    _probe(x_with_window_manager, "keep", settings, "1")
    seen = _probe(x_with_window_manager, "show", settings, "1.5")
    assert seen["framed"], seen  # openbox put a title bar on it
    fx, fy, fw, fh = seen["frame"]
    ax, ay, aw, ah = seen["area"]
    assert ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah, seen


# the outcome after a send --------------------------------------------------------------
@pytest.fixture(scope="module")
def ward():
    with running_ward(("Nell Sender", "Registrar"), ("Otto Reader", "Consultant")) as ward:
        yield ward


def test_the_outcome_of_a_send_is_in_view_however_short_the_panel(
        qtbot, make_window, ward, grey_png):
    """At a large scale factor the panel was short and "Sent to …" below its fold (NU5). The
    outcome, like Send, now sits beneath the fields' scroll area: in view whatever the fields
    are scrolled to (NU6)."""
    with signed_in_window(qtbot, make_window, ward, "Nell Sender", grey_png,
                          size=(1000, 430)) as (window, ui):
        try:
            panel = ui.send_panel
            bar = panel.scroll.verticalScrollBar()
            qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)  # the fields scroll

            def in_view(widget) -> bool:
                return widget.isVisible() and \
                    widget.visibleRegion().boundingRect() == widget.rect()

            bar.setValue(0)  # as opened: To at the top
            send_to(qtbot, ui, "Otto")
            assert "Sent to Otto Reader" in panel.outcome.text()
            assert in_view(panel.outcome) and in_view(panel.send)
            assert bar.value() == 0  # nothing was scrolled away from where the clinician is
        finally:
            no_draft_left(ui)
