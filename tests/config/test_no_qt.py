"""medsnap.config is pure Python: the UI binds to it, never the other way round."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "desktop" / "medsnap" / "config"


def test_config_package_imports_no_qt():
    sources = [path.read_text(encoding="utf-8") for path in CONFIG.glob("*.py")]
    assert sources and not any("PySide6" in text or "QtCore" in text for text in sources)


def test_show_config_reports_source_and_lock(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("jpeg_quality = 70\nretention_days = -1\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "medsnap", "--show-config"],
        capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "MEDSNAP_POLICY_FILE": str(policy)},
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "'70'" in lines["jpeg_quality"] and "locked" in lines["jpeg_quality"]
    assert "policy file" in lines["jpeg_quality"]
    assert "'30'" in lines["retention_days"] and "default" in lines["retention_days"]
    assert "retention_days ignored" in lines["warning:"] or "retention_days ignored" in result.stdout
    assert result.stderr == ""
