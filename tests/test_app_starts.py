"""The entry points start: `python -m medsnap --help` and the empty editor window."""

from __future__ import annotations

import subprocess
import sys

from medsnap.ui.main_window import MainWindow


def test_module_entry_point_prints_help():
    result = subprocess.run(
        [sys.executable, "-m", "medsnap", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "export" in result.stdout and "inspect" in result.stdout


def test_main_window_opens(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "MedSnap"
