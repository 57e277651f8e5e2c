"""What the command line answers a newcomer's mistakes with: plain words, the right exit code,
nothing done that was not asked for. Runs the real command in-process (medsnap.cli.main)."""

from __future__ import annotations

import pytest

from medsnap.cli import main
from medsnap.cli.send import DECLARATIONS


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MEDSNAP_PASSPHRASE", raising=False)
    return tmp_path


def test_send_without_declare_refuses_and_lists_the_four_choices(empty_home, capsys, png_bytes):
    picture = empty_home / "picture.png"
    picture.write_bytes(png_bytes(5))
    code = main(["send", "--to", "someone", str(picture)])
    err = capsys.readouterr().err
    assert code == 2
    assert "nothing was sent" in err.lower()
    for choice in DECLARATIONS:
        assert f"--declare {choice}" in err
    assert not (empty_home / "home").exists() or not any((empty_home / "home").rglob("*.db"))


def test_a_mistyped_command_or_missing_file_is_named_without_starting_qt(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    medsnap = str(Path(sys.executable).parent / "medsnap")
    env = {k: v for k, v in os.environ.items()  # no display: Qt would abort, not explain
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    for word, hint in (("inboxx", "Did you mean 'medsnap inbox'?"),
                       (str(tmp_path / "missing.png"), "")):
        done = subprocess.run([medsnap, word], env=env, capture_output=True, text=True,
                              timeout=60, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert f"medsnap: unknown command or file {word!r}" in done.stderr
        assert hint in done.stderr and "xcb" not in done.stderr


def test_signin_names_an_unknown_staff_id_and_a_missing_keyring_plainly(endpoint, make_desk):
    from keyring.backends.fail import Keyring as NoKeyring  # what keyring finds with none

    from medsnap.crypto.keystore import KeyStore
    from medsnap.crypto.keystore_errors import KeyringMissing
    from medsnap.messaging.errors import NotSignedIn
    from medsnap.messaging.session import enrol, sign_in
    from messaging_support import PASSPHRASE, add_clinician

    staff_id, code = add_clinician(endpoint, "Dr Kim Lane")
    enrol(make_desk().workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
          keystore=make_desk().keystore).close()  # deposits the wrapped key file
    bare = make_desk()
    no_keyring = KeyStore(keyring_backend=NoKeyring())
    with pytest.raises(NotSignedIn) as stranger:
        sign_in(bare.workstation, "nobody", PASSPHRASE, endpoint_url=endpoint.url,
                keystore=no_keyring)
    assert "nobody has not signed in on this workstation before" in stranger.value.message
    assert "holds no keys for that staff id" in stranger.value.message
    with pytest.raises(KeyringMissing) as missing:
        sign_in(bare.workstation, staff_id, PASSPHRASE, endpoint_url=endpoint.url,
                keystore=no_keyring)
    assert "no system keyring running" in missing.value.message
    assert "keyrings.alt" not in missing.value.message and "Error" not in missing.value.message
    assert not bare.workstation.profile(staff_id).exists()  # nothing stored


def test_readme_exit_code_table_matches_the_errors_the_commands_raise():
    import re
    from pathlib import Path

    from medsnap.cli import EXIT_CODES
    from medsnap.crypto.keystore_errors import KeyringMissing, WrongPassphrase
    from medsnap.messaging import errors

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("Exit codes of the messaging commands", 1)[1].split("\n\n")[1]
    table = {int(code): text for code, text in re.findall(r"^\| (\d+) \| (.+) \|$", section,
                                                            re.MULTILINE)}
    helped = {int(code) for code in re.findall(r"^  (\d+)  ", EXIT_CODES, re.MULTILINE)}
    assert set(table) <= helped
    said = {errors.RecipientNotFound: "colleague matching nobody",
            errors.NoSuchMessage: "unknown message id",
            errors.DemoAlreadyRunning: "demo already running",
            errors.DemoPortBusy: "`--port` taken",
            errors.NotSignedIn: "not signed in", errors.NoEndpoint: "no endpoint",
            errors.EndpointUnreachable: "cannot be reached",
            errors.EndpointRefusedRequest: "refused the request",
            WrongPassphrase: "wrong passphrase", KeyringMissing: "no system keyring"}
    for error, words in said.items():
        assert words in table[error.exit_code], (error.__name__, error.exit_code)
    assert "Queued" in table[0]  # send while offline succeeds (queued), documented as such


def test_the_passphrase_prompt_says_whose(empty_home):
    # Several clinicians may share one login: a bare "Passphrase:" did not say whose.
    import sys
    import time

    from messaging_support import Terminal

    with Terminal([sys.executable, "-m", "medsnap", "signin", "nurse.kim"]) as terminal:
        asked = terminal.read_until(b"Passphrase for nurse.kim: ", time.monotonic() + 20)
    assert asked, terminal.seen
