"""Linux desktop integration: validated with the freedesktop and AppStream tools themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from medsnap.cli.desktop_entry import APP_ID, install, render_desktop_entry, resources_dir

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "resources" / "linux"


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


def assert_valid_desktop_file(path: Path) -> None:
    result = run("desktop-file-validate", str(path))
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout + result.stderr


def test_shipped_desktop_entry_is_valid():
    assert_valid_desktop_file(LINUX / f"{APP_ID}.desktop")


def test_shipped_metainfo_is_valid_and_names_the_desktop_entry():
    metainfo = LINUX / f"{APP_ID}.metainfo.xml"
    result = run("appstreamcli", "validate", "--no-net", str(metainfo))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>" in metainfo.read_text()


def test_install_into_xdg_data_home_from_the_command_line(tmp_path):
    data_home = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "HOME": str(tmp_path / "home")}
    result = run(sys.executable, "-m", "medsnap", "--install-desktop-entry", env=env)
    assert result.returncode == 0, result.stderr
    entry = data_home / "applications" / f"{APP_ID}.desktop"
    assert_valid_desktop_file(entry)
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    launcher = exec_line.removeprefix("Exec=").split()[0]
    assert os.access(launcher, os.X_OK), exec_line
    assert run(launcher, "--help").returncode == 0
    metainfo = data_home / "metainfo" / f"{APP_ID}.metainfo.xml"
    assert run("appstreamcli", "validate", "--no-net", str(metainfo)).returncode == 0
    for size in (16, 32, 48, 64, 128, 256):
        assert (data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert not (tmp_path / "home").exists()  # XDG_DATA_HOME was honoured, not ~/.local/share


def test_launcher_path_with_spaces_and_quotes_stays_a_valid_entry(tmp_path):
    folder = tmp_path / 'Program "Files" $HOME'
    folder.mkdir()
    launcher = folder / "medsnap"
    launcher.write_text("#!/bin/sh\nexit 0\n")
    launcher.chmod(0o755)
    [entry, *_] = install(tmp_path / "data", [str(launcher)])
    assert_valid_desktop_file(entry)
    exec_line = next(line for line in entry.read_text().splitlines() if line.startswith("Exec="))
    assert exec_line == r'Exec="' + str(tmp_path).replace("\\", "\\\\") + r'/Program \\"Files\\" \\$HOME/medsnap" %f'


def test_render_keeps_everything_but_exec():
    template = (resources_dir() / f"{APP_ID}.desktop").read_text()
    rendered = render_desktop_entry(template, ["/opt/medsnap/bin/medsnap"])
    changed = set(rendered.splitlines()) ^ set(template.splitlines())
    assert {line.split("=")[0] for line in changed} == {"Exec", "TryExec"}


def test_unwritable_target_is_a_clear_error_and_exit_code(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = run(sys.executable, "-m", "medsnap", "--install-desktop-entry", "--data-dir", str(blocker))
    assert result.returncode == 5
    assert "could not install its menu entry" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_help_mentions_the_admin_flags(flag):
    result = run(sys.executable, "-m", "medsnap", flag)
    assert "--install-desktop-entry" in result.stdout and "--show-config" in result.stdout
