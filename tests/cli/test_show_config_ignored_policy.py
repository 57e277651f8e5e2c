"""IT's finding: with a world-writable or invalid policy file the `--show-config` header said
"(read; ...)" and only the last warning line said the whole file was ignored. The header now
says plainly that none of it applies, and why. Real `medsnap --show-config` processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def policy_header(tmp_path, policy) -> str:
    env = {**os.environ, "MEDSNAP_HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "MEDSNAP_POLICY_FILE": str(policy)}
    done = subprocess.run([sys.executable, "-m", "medsnap", "--show-config"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return next(line for line in done.stdout.splitlines() if line.startswith("policy file:"))


@pytest.mark.parametrize("why, text, mode", [
    ("writable by every user", "lock_timeout_minutes = 3\n", 0o666),
    ("not valid TOML", "lock_timeout_minutes = [\n", 0o644),
])
def test_a_policy_file_ignored_as_a_whole_says_so_in_its_header(tmp_path, why, text, mode):
    policy = tmp_path / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    policy.chmod(mode)
    header = policy_header(tmp_path, policy)
    assert "IGNORED" in header and "none of it applies" in header and why in header
    assert "read;" not in header and "MEDSNAP_POLICY_FILE" in header

    policy.write_text("lock_timeout_minutes = 3\n", encoding="utf-8")  # mended
    policy.chmod(0o644)
    header = policy_header(tmp_path, policy)
    assert "(read;" in header and "IGNORED" not in header
