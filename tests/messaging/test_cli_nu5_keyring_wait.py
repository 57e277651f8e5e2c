"""`medsnap enrol` where the system keyring would have to prompt (GNOME Keyring with no default
collection: creating one waits for a person at the desktop) must stop, not hang, and keep the
one-time code usable. A real endpoint process; the prompt is a fault injected into a memory
keyring (set_password blocks), since a real prompting keyring cannot be produced on demand."""

from __future__ import annotations

import io
import sys
import threading
import time

import keyring.core
import pytest
from keyring_backends import MemoryKeyring
from messaging_support import PASSPHRASE, add_clinician

from medsnap.cli import main
from medsnap.crypto import keystore_time_limit
from medsnap.crypto.keystore_time_limit import within_time_limit


class WaitsOnAPrompt(MemoryKeyring):
    """Reads answer; the first write waits until ``prompt_answered`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.prompt_answered = threading.Event()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.prompt_answered.wait(120)
        super().set_password(service, username, password)


@pytest.fixture
def keyring_backend():
    previous = keyring.core._keyring_backend
    backend = WaitsOnAPrompt()
    keyring.set_keyring(backend)
    yield backend
    backend.prompt_answered.set()  # lets the abandoned probe thread finish
    keyring.core._keyring_backend = previous


def enrol_command(monkeypatch, capsys, tmp_path, endpoint, staff_id, code):
    monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MEDSNAP_PASSPHRASE", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    code_returned = main(["enrol", code, "--staff-id", staff_id, "--endpoint", endpoint.url,
                          "--passphrase-stdin"])
    out, err = capsys.readouterr()
    return code_returned, out, err


def test_enrol_stops_when_the_keyring_waits_on_a_prompt_and_the_code_still_works(
        endpoint, keyring_backend, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(keystore_time_limit, "KEYRING_TIME_LIMIT", 1.0)
    staff_id, code = add_clinician(endpoint, "Dr Ruth Penn")
    started = time.monotonic()
    returned, out, err = enrol_command(monkeypatch, capsys, tmp_path, endpoint, staff_id, code)
    assert time.monotonic() - started < 15  # stopped by the limit, not by the fault's 120 s
    assert returned == 6, out + err
    assert "did not answer within 1 seconds" in err and "unlock the login keyring" in err
    assert "Nothing was used" in err and "still works" in err and "Traceback" not in err
    keyring_backend.prompt_answered.set()  # the person unlocks the keyring
    returned, out, err = enrol_command(monkeypatch, capsys, tmp_path, endpoint, staff_id, code)
    assert returned == 0, err
    assert f"Enrolled Dr Ruth Penn ({staff_id})" in out


def test_the_time_limit_passes_answers_and_errors_through():
    assert within_time_limit(lambda: 42, 5) == 42
    with pytest.raises(KeyError):
        within_time_limit(lambda: {}["missing"], 5)
