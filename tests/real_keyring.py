"""A real Secret Service for tests: gnome-keyring-daemon on a private D-Bus session bus.

Recipe (DESIGN.md, "Test machinery"): a temporary HOME and XDG dirs; ``dbus-daemon
--session``-like bus from a minimal config with no service directories (so nothing is ever
auto-activated, and the machine's own session is never touched); then
``gnome-keyring-daemon --unlock --components=secrets --foreground`` with the login
password on stdin, which creates and unlocks the "login" collection and makes it the
default. We wait until the default collection exists and is unlocked, hand out
``keyring.backends.SecretService.Keyring``, and stop both processes at the end.

Works as root with no display: DISPLAY and WAYLAND_DISPLAY are removed so nothing tries
to prompt. Needs the Debian packages ``dbus-daemon`` and ``gnome-keyring``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

LOGIN_PASSWORD = "medsnap-test-login"
READY_TIMEOUT_SECONDS = 20.0


class SecretServiceUnavailable(RuntimeError):
    """The private Secret Service could not be started; the message says why."""


@dataclass
class SecretServiceSession:
    root: Path
    address: str
    env: dict[str, str]
    dbus: subprocess.Popen[bytes]
    keyring_daemon: subprocess.Popen[bytes]

    def backend(self):  # -> keyring.backends.SecretService.Keyring
        from keyring.backends.SecretService import Keyring

        return Keyring()

    def stop_keyring_daemon(self) -> None:
        """Stop gnome-keyring only (the bus stays): the Secret Service disappears."""
        _stop(self.keyring_daemon)

    def restart_keyring_daemon(self, unlock: bool = True) -> None:
        """Stop gnome-keyring and start it again on the same HOME (it re-reads its files).

        ``unlock=False`` starts it without the login password: "login" stays locked, as
        after a screen lock, and with no display nothing can prompt to unlock it.
        """
        _stop(self.keyring_daemon)
        self.keyring_daemon = _start_keyring_daemon(self.root, self.env, unlock)


def _require(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise SecretServiceUnavailable(
            f"{program} is not installed; install the Debian packages dbus-daemon and "
            "gnome-keyring (scripts/install --test does)"
        )
    return path


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _private_environment(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for name in ("home", "runtime", "data", "config", "cache"):
        (root / name).mkdir(mode=0o700)
    env.update(
        HOME=str(root / "home"),
        XDG_RUNTIME_DIR=str(root / "runtime"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_CACHE_HOME=str(root / "cache"),
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("GNOME_KEYRING_CONTROL", None)
    return env


def _start_bus(root: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    config = root / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=root / "runtime" / "bus"), encoding="utf-8")
    log = root / "dbus.log"
    with log.open("wb") as errors:  # a file, not a pipe: a chatty daemon never blocks
        dbus = subprocess.Popen(
            [_require("dbus-daemon"), f"--config-file={config}", "--print-address", "--nofork"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, env=env,
        )
    assert dbus.stdout is not None
    address = dbus.stdout.readline().decode("ascii", "replace").strip()
    if not address:
        _stop(dbus)
        raise SecretServiceUnavailable(f"dbus-daemon did not start: {_tail(log)}")
    return dbus, address


def _tail(log: Path) -> str:
    try:
        return log.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
    except OSError:
        return "(no log)"


def _wait_until_ready(
    env: dict[str, str], daemon: subprocess.Popen[bytes], log: Path, unlocked: bool
) -> None:
    """Poll until the default collection exists (and is unlocked, when ``unlocked``)."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    last = "no answer yet"
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            raise SecretServiceUnavailable(
                f"gnome-keyring-daemon exited with {daemon.returncode}: {_tail(log)}"
            )
        try:
            connection = open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"])
            try:
                collection = secretstorage.get_default_collection(connection)
                if not unlocked or not collection.is_locked():
                    return
                last = "the default collection is locked"
            finally:
                connection.close()
        except Exception as error:  # noqa: BLE001 - still starting: keep polling
            last = f"{type(error).__name__}: {error}"
        time.sleep(0.1)
    raise SecretServiceUnavailable(
        f"the login collection was not ready within {READY_TIMEOUT_SECONDS:.0f} s "
        f"({last}); gnome-keyring-daemon said: {_tail(log)}"
    )


def _start_keyring_daemon(
    root: Path, env: dict[str, str], unlock: bool = True
) -> subprocess.Popen[bytes]:
    """gnome-keyring-daemon with the login password on stdin; returns once it is unlocked."""
    log = root / "gnome-keyring.log"
    unlock_option = ["--unlock"] if unlock else []
    with log.open("ab") as errors:  # a file, not a pipe: a chatty daemon never blocks
        daemon = subprocess.Popen(
            [_require("gnome-keyring-daemon"), *unlock_option, "--components=secrets",
             "--foreground"],
            stdin=subprocess.PIPE, stdout=errors, stderr=errors, env=env,
        )
    assert daemon.stdin is not None
    if unlock:
        daemon.stdin.write(LOGIN_PASSWORD.encode("utf-8"))
    daemon.stdin.close()  # end of the password: the daemon creates or unlocks "login"
    try:
        _wait_until_ready(env, daemon, log, unlocked=unlock)
    except BaseException:
        _stop(daemon)
        raise
    return daemon


@contextmanager
def private_secret_service() -> Iterator[SecretServiceSession]:
    """Start the bus and gnome-keyring; yield once the login collection is unlocked.

    The caller points ``DBUS_SESSION_BUS_ADDRESS`` (``session.env``) at the bus for the
    code under test: secretstorage reads it on every connection.
    """
    _require("gnome-keyring-daemon")
    root = Path(tempfile.mkdtemp(prefix="medsnap-secret-service-"))
    if len(str(root / "runtime" / "bus")) > 100:  # a unix socket path holds ~107 bytes
        shutil.rmtree(root)
        root = Path(tempfile.mkdtemp(prefix="msss-", dir="/tmp"))
    dbus = keyring_daemon = None
    try:
        env = _private_environment(root)
        dbus, address = _start_bus(root, env)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        keyring_daemon = _start_keyring_daemon(root, env)
        yield SecretServiceSession(root, address, env, dbus, keyring_daemon)
    finally:
        for process in (keyring_daemon, dbus):
            if process is not None:
                _stop(process)
        shutil.rmtree(root, ignore_errors=True)
