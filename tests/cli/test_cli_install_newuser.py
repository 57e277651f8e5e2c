"""`scripts/install` is quiet when all goes well and shows why when a step fails.

pip relays every setuptools warning (BuildBackendWarning, ~200 lines for an editable install)
even with -q, so the script keeps each step's output and shows it only on failure. The script
runs for real in a copy of the repository's layout; the one peer replaced is the virtual
environment's python (pip), to produce both a warning-laden success and a failure without
touching the real .venv or the network, and dpkg-query, so that no test ever runs apt-get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL = Path(__file__).resolve().parents[2] / "scripts" / "install"
WARNING = "BuildBackendWarning: Package 'medsnap_resources.icons' is absent"

FAKE_PIP = f"""#!/bin/sh
# stands in for .venv/bin/python -m pip: warnings on success, an error when told to fail
echo "$*" >> "$(dirname "$0")/calls"
i=0
while [ $i -lt 200 ]; do echo "  {WARNING} ($i)" >&2; i=$((i+1)); done
case "$*" in *" -e "*) if [ -n "$FAKE_PIP_FAILS" ]; then
  echo "ERROR: No matching distribution found for setuptools>=77" >&2; exit 1; fi;; esac
exit 0
"""


@pytest.fixture
def checkout(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is missing")
    (tmp_path / "scripts").mkdir()
    shutil.copy2(INSTALL, tmp_path / "scripts" / "install")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PIP)
    python.chmod(0o755)
    tools = tmp_path / "tools"
    tools.mkdir()
    dpkg = tools / "dpkg-query"
    dpkg.write_text("#!/bin/sh\nprintf 'install ok installed'\n")
    dpkg.chmod(0o755)
    return tmp_path


def install(checkout: Path, *args: str, fail: bool = False):
    env = {**os.environ, "PATH": f"{checkout / 'tools'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("FAKE_PIP_FAILS", None)
    if fail:
        env["FAKE_PIP_FAILS"] = "1"
    return subprocess.run(["bash", str(checkout / "scripts" / "install"), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_successful_install_says_a_few_lines(checkout):
    done = install(checkout, "--test")
    assert done.returncode == 0, done.stderr
    said = (done.stdout + done.stderr).splitlines()
    assert len(said) <= 3, said
    assert WARNING not in done.stdout + done.stderr
    calls = (checkout / ".venv" / "bin" / "calls").read_text()
    assert "-m pip install -q -e .[test]" in calls  # --test still installs the test extra


def test_a_failing_install_shows_why_and_stops(checkout):
    done = install(checkout, "--test", fail=True)
    assert done.returncode == 1
    assert "ERROR: No matching distribution found for setuptools>=77" in done.stderr
    assert "this step failed" in done.stderr and "pip install -q -e .[test]" in done.stderr
    assert "Done" not in done.stdout


def test_verbose_shows_everything_and_unknown_options_are_refused(checkout):
    done = install(checkout, "--verbose")
    assert done.returncode == 0 and done.stderr.count(WARNING) == 400
    wrong = install(checkout, "--tests")
    assert wrong.returncode == 2 and "unknown option --tests" in wrong.stderr
