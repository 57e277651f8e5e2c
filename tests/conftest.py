"""Test-wide environment: headless Qt, a private runtime dir, shared fixture paths."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

# Set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("XDG_RUNTIME_DIR") or not os.path.isdir(os.environ["XDG_RUNTIME_DIR"]):
    runtime = tempfile.mkdtemp(prefix="medsnap-xdg-")
    os.chmod(runtime, 0o700)
    os.environ["XDG_RUNTIME_DIR"] = runtime

# The machine's own /etc/medsnap/policy.toml must not steer the tests (an administrator's or
# a tester's policy turned Save a copy off under the suite once); tests that need a policy
# point MEDSNAP_POLICY_FILE at their own file.
os.environ["MEDSNAP_POLICY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="medsnap-no-policy-"),
                                                 "policy.toml")

# A suite started in the background by a non-interactive shell (`bash .ci/run &`) begins with
# Ctrl+C ignored, and every command it starts inherits that: `medsnap demo` then never stopped
# on Ctrl+C and the Ctrl+C tests failed (a local CI run). Caught here, it is the default again
# in each command (exec resets a caught signal; it keeps an ignored one).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _one_qapplication_first(qapp):
    """Create the session's QApplication before any test can make a bare QGuiApplication.

    render.py makes a QGuiApplication when a process has none (the command line needs no
    widgets); if a render test ran first, a later widget test would abort the process.
    """
    return qapp


@pytest.fixture
def memory_keyring():
    """keyring's default backend becomes an in-memory one (tests/keyring_backends.py)."""
    import keyring.core
    from keyring_backends import MemoryKeyring

    # Not keyring.get_keyring(): that would probe (and maybe fail on) every backend.
    previous = keyring.core._keyring_backend  # None until first use: stays lazy
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def real_secret_service(monkeypatch):
    """gnome-keyring on a private D-Bus (tests/real_keyring.py), set as keyring's backend."""
    import keyring.core
    from real_keyring import private_secret_service

    previous = keyring.core._keyring_backend  # as in memory_keyring
    with private_secret_service() as session:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)
        keyring.set_keyring(session.backend())
        try:
            yield session
        finally:
            keyring.core._keyring_backend = previous
