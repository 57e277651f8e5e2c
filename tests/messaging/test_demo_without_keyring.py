"""The demo starts on a machine with no usable OS keyring (no Secret Service running), as on a
fresh desktop or under Xvfb: its throwaway colleagues' wrapped keys live in the demo folder,
while a real clinician's keys still need the OS keyring."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from messaging_support import clean_png

from medsnap.crypto.keystore_errors import KeyringUnavailable
from medsnap.messaging.demo import COLLEAGUES
from medsnap.messaging.demo_keyring import demo_keystore, keystore_for
from medsnap.messaging.profile import Workstation

MEDSNAP = [str(Path(sys.executable).parent / "medsnap")]
ADA, BEN = COLLEAGUES[0], COLLEAGUES[1]


@pytest.fixture
def no_keyring_env(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DBUS_SESSION_BUS_ADDRESS", "MEDSNAP_PASSPHRASE")}
    # keyring's own "fail" backend: every call raises, as when no keyring service exists
    env.update(MEDSNAP_HOME=str(tmp_path / "home"), HOME=str(tmp_path / "user"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


def test_demo_sends_and_receives_with_no_os_keyring(tmp_path, no_keyring_env):
    env = no_keyring_env
    demo = subprocess.Popen([*MEDSNAP, "demo", "--port", "0"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        shown = []
        for line in demo.stdout:
            shown.append(line)
            if "Serving until Ctrl+C" in line:
                break
        assert "Serving until Ctrl+C" in "".join(shown), "".join(shown)
        picture = tmp_path / "scan.png"
        picture.write_bytes(clean_png(7))
        sent = subprocess.run([*MEDSNAP, "send", "--as", ADA.staff_id, "--to", BEN.staff_id,
                               str(picture), "--declare", "direct-care", "--json"],
                              env={**env, "MEDSNAP_PASSPHRASE": ADA.passphrase},
                              capture_output=True, text=True, timeout=120)
        assert sent.returncode == 0, sent.stderr
        listed = subprocess.run([*MEDSNAP, "inbox", "--as", BEN.staff_id, "--json"],
                                env={**env, "MEDSNAP_PASSPHRASE": BEN.passphrase},
                                capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)[-1]["state"] == "verified"
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
        demo.stdout.close()

    home = Path(env["MEDSNAP_HOME"])
    stored = (home / "demo" / "keyring.json").read_bytes()
    assert b"PRIVATE KEY" not in stored and b"AGE-SECRET-KEY" not in stored
    wrapped = demo_keystore(home).export_wrapped(ADA.staff_id)
    assert wrapped.startswith(b"age-encryption.org/v1\n-> scrypt ")


def test_only_demo_colleagues_on_a_demo_workstation_use_the_demo_store(tmp_path, monkeypatch):
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    monkeypatch.setattr(keyring.core, "_keyring_backend", FailKeyring())
    workstation = Workstation(tmp_path)
    workstation.update(demo=True)
    assert keystore_for(workstation, ADA.staff_id).has(ADA.staff_id) is False
    with pytest.raises(KeyringUnavailable):  # a real clinician's keys never go to a file
        keystore_for(workstation, "C12345").has("C12345")
    workstation.update(demo=False)
    with pytest.raises(KeyringUnavailable):
        keystore_for(workstation, ADA.staff_id).has(ADA.staff_id)
