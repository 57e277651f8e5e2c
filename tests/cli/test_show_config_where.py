"""``medsnap --show-config`` for IT (tester report C, and A's window choices): it names the
policy file it looked for, the data folder and the key agent's socket folder; it says which
values the window uses when this computer account chose differently in Edit > Settings; and
``| head -3`` ends quietly, without a BrokenPipeError traceback. Real `medsnap` processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings


def _environment(tmp_path, **extra: str) -> dict[str, str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "MEDSNAP_HOME": str(tmp_path / "ward-home"),
           "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "MEDSNAP_POLICY_FILE": str(tmp_path / "policy.toml")}
    env.pop("MEDSNAP_ENDPOINT", None)
    env.update(extra)
    return env


def _show_config(env: dict[str, str], **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medsnap", "--show-config"], env=env,
                          capture_output=True, text=True, timeout=60, **options)


def _choose_in_the_window(tmp_path, **values: int) -> None:
    """Values as the window's Edit > Settings keeps them: its own store, QSettings
    "MedSnap"/"MedSnap" under XDG_CONFIG_HOME."""
    store = QSettings(str(tmp_path / "config" / "MedSnap" / "MedSnap.conf"),
                      QSettings.Format.IniFormat)
    for key, value in values.items():
        store.setValue(key, value)
    store.sync()


def test_it_names_the_policy_file_the_data_folder_and_the_agent_folder(tmp_path):
    env = _environment(tmp_path)
    done = _show_config(env)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    policy = next(line for line in lines if line.startswith("policy file:"))
    assert str(tmp_path / "policy.toml") in policy and "not found" in policy
    assert "MEDSNAP_POLICY_FILE" in policy
    data = next(line for line in lines if line.startswith("data folder:"))
    assert str(tmp_path / "ward-home") in data and "MEDSNAP_HOME" in data
    agent = next(line for line in lines if line.startswith("key agent sockets:"))
    assert agent.split()[-1] == str(tmp_path / "runtime" / "medsnap")

    (tmp_path / "policy.toml").write_text("lock_timeout_minutes = 3\n", encoding="utf-8")
    again = _show_config(env).stdout.splitlines()
    policy = next(line for line in again if line.startswith("policy file:"))
    assert "(read;" in policy and "not found" not in policy


def test_without_the_variables_it_names_the_usual_places(tmp_path):
    env = _environment(tmp_path)
    for name in ("MEDSNAP_POLICY_FILE", "MEDSNAP_HOME"):
        env.pop(name)
    env["HOME"] = str(tmp_path / "someone")
    env.pop("XDG_DATA_HOME", None)
    lines = _show_config(env).stdout.splitlines()
    assert lines[0].split()[:3] == ["policy", "file:", "/etc/medsnap/policy.toml"]
    assert "MEDSNAP_POLICY_FILE=PATH" in lines[0]
    assert lines[1].split()[2] == str(tmp_path / "someone" / ".local" / "share" / "medsnap")
    assert "MEDSNAP_HOME=PATH" in lines[1]


@pytest.mark.parametrize("command", [["medsnap", "--show-config"], ["medsnap.config"]])
def test_a_closed_pipe_ends_it_quietly(tmp_path, command):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before a line is written, as after `head -3`
    try:
        done = subprocess.run([sys.executable, "-m", *command],
                              env=_environment(tmp_path), stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 0


def test_it_names_the_values_the_window_uses_where_the_user_chose_others(tmp_path):
    env = _environment(tmp_path)
    (tmp_path / "policy.toml").write_text("retention_days = 7\n", encoding="utf-8")
    _choose_in_the_window(tmp_path, lock_timeout_minutes=1,
                          retention_days=3,  # the policy's 7 wins, in the window too
                          jpeg_quality=90)  # the same as the default: nothing to say
    done = _show_config(env)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, notes
    assert "window uses lock_timeout_minutes '1'" in notes[0]
    assert "command line uses '5'" in notes[0]
    rows = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert "'5'" in rows["lock_timeout_minutes"] and "default" in rows["lock_timeout_minutes"]
    assert "'7'" in rows["retention_days"] and "locked" in rows["retention_days"]


def test_the_notes_keep_to_what_a_shared_login_allows(tmp_path):
    """A longer lock chosen in the window is not used there (one login, several clinicians),
    so no note claims it; a shorter Keep messages applies to opened letters only, and says so."""
    env = _environment(tmp_path)
    _choose_in_the_window(tmp_path, lock_timeout_minutes=60, retention_days=2)
    done = _show_config(env)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, notes
    assert "window uses retention_days '2' for letters already opened" in notes[0]
