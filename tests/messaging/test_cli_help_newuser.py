"""What `--help` tells a newcomer: each command with what it does, and under each command only
the exit codes it can return - checked against real failures of the commands; a second demo
refuses before saying it is starting."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from messaging_support import PASSPHRASE

from medsnap.cli import COMMAND_EXIT_CODES, COMMANDS, EXIT_MEANINGS, build_parser, main, summary

MESSAGING = ("enrol", "signin", "send", "outbox", "sync", "inbox", "open", "audit", "demo",
             "lock")


def listed_codes(name: str) -> set[int]:
    epilog = build_parser(name).format_help().split("exit codes:", 1)[1]
    return {int(code) for code in re.findall(r"^  (\d+)  ", epilog, re.MULTILINE)}


@pytest.fixture
def bare_home(tmp_path, monkeypatch):
    """A workstation where nobody has enrolled, no endpoint is configured and no keyring
    runs (keyring's own fail backend, set here: what keyring detects depends on the tests
    that ran before)."""
    import keyring.core
    from keyring.backends.fail import Keyring as NoKeyring

    # keyring's chosen backend, put back as it was afterwards (detected or not yet)
    monkeypatch.setattr(keyring.core, "_keyring_backend", NoKeyring())
    monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MEDSNAP_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("MEDSNAP_ENDPOINT", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_medsnap_help_says_what_each_command_does_without_importing_them():
    probe = ("import sys, contextlib, io\nfrom medsnap.cli import main\n"
             "out = io.StringIO()\nwith contextlib.redirect_stdout(out):\n    main(['--help'])\n"
             "print(out.getvalue())\n"
             "print(sorted(m for m in sys.modules if m.startswith('medsnap.cli.')))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    text, imported = done.stdout.rstrip().rsplit("\n", 1)
    flat = " ".join(text.split())
    for name in COMMANDS:
        first_line = summary(name)
        assert first_line and f"{name} {first_line}" in flat, name
    assert "Send a clean, signed, encrypted image" in summary("send")
    assert imported == "[]"


def test_each_command_lists_only_its_own_exit_codes():
    assert set(COMMAND_EXIT_CODES) == set(COMMANDS)
    for name in COMMANDS:
        assert listed_codes(name) == {0, 2, *COMMAND_EXIT_CODES[name]}, name
    assert 1 not in listed_codes("export") and 1 not in listed_codes("demo")
    assert listed_codes("demo") == {0, 2, 7}
    inspect_help = build_parser("inspect").format_help()
    assert "1  the file carries metadata" in inspect_help
    assert set(EXIT_MEANINGS) == set().union(*COMMAND_EXIT_CODES.values()) | {0, 2}


def test_the_readme_table_is_what_the_messaging_commands_list():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("Exit codes of the messaging commands", 1)[1].split("\n\n")[1]
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert table and table <= set().union(*(listed_codes(name) for name in MESSAGING))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:  # argparse
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def test_real_failures_exit_with_a_code_their_help_lists(bare_home, capsys, png_bytes):
    from PIL import Image, PngImagePlugin

    picture = bare_home / "tagged.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "patient Jo Bloggs")
    Image.new("RGB", (8, 8)).save(picture, pnginfo=info)
    (bare_home / "key.txt").write_text("exists")
    failures = {
        ("export", "missing.png", "-o", "out.png"): 3,
        ("export", str(picture), "-o", str(picture)): 2,
        ("inspect", str(picture)): 1,
        ("inspect", "missing.png"): 3,
        ("age", "-d", "-i", "missing.key", "missing.age"): 6,
        ("keygen", "-o", "key.txt"): 6,
        # no keyring: found before the code is spent, and before the endpoint is looked for
        ("enrol", "ABCD-EFGH", "--staff-id", "nurse.kim"): 6,
        ("signin", "nurse.kim"): 7,
        ("send", "--to", "ben", str(picture), "--declare", "direct-care"): 7,
        ("outbox",): 7, ("sync",): 7, ("inbox",): 7, ("open", "abc", "-o", "x.png"): 7,
        ("audit", "verify"): 7, ("lock",): 7, ("demo", "--port", "nope"): 2,
    }
    for argv, expected in failures.items():
        code, _, err = run(capsys, *argv)
        assert code in (expected if isinstance(expected, set) else {expected}), (argv, err)
        assert code in listed_codes(argv[0]), argv
        assert "Traceback" not in err


def test_a_second_demo_refuses_before_saying_it_is_starting(bare_home, capsys):
    from medsnap.messaging.demo import start_demo

    demo = start_demo(bare_home / "home", port=0, reuse=False)
    try:
        code, out, err = run(capsys, "demo")
    finally:
        demo.stop()
    assert code == 2 and "A demo is already running" in err
    assert "Starting" not in out and out == ""


def test_a_demo_on_a_taken_port_refuses_before_saying_it_is_starting(bare_home, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, out, err = run(capsys, "demo", "--port", str(taken.getsockname()[1]))
    assert code == 2 and "in use by another program" in err
    assert out == ""
