"""The command line as a hospital IT person meets it: help that says what each option does and
its default, one way of naming a clinician for every command, and commands that say what they
did."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest
from endpoint_harness import ENDPOINT_COMMAND

from medsnap_endpoint.client import EndpointRefused


def endpoint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ENDPOINT_COMMAND, *args], capture_output=True, text=True,
                          timeout=60)


def option_help(help_text: str) -> dict[str, str]:
    """Each option of an argparse help page with its (joined) description."""
    options: dict[str, str] = {}
    current = None
    for line in help_text.split("options:", 1)[1].splitlines():
        found = re.match(r"  (?:-\w, )?(--[a-z-]+)(.*)", line)
        if found:
            current = found.group(1)
            options[current] = found.group(2)
        elif current and line.startswith("    "):
            options[current] += " " + line.strip()
    return {name: " ".join(text.split()) for name, text in options.items()}


def test_every_serve_option_says_what_it_does_and_its_default():
    page = endpoint("serve", "--help")
    assert page.returncode == 0
    options = option_help(page.stdout)
    in_usage = set(re.findall(r"\[(--[a-z-]+)", page.stdout.split("options:")[0]))
    assert in_usage == set(options) - {"--help"} and len(in_usage) > 20
    for name, text in options.items():
        if name != "--help":
            assert "(default: " in text, (name, text)
    assert "(default: 1209600 s = 14 days)" in options["--retention-seconds"]
    assert "(default: 52428800 = 50 MiB)" in options["--max-message-bytes"]
    assert "mailbox" in options["--retention-seconds"]


def test_admin_commands_and_their_options_all_have_help():
    page = endpoint("admin", "--help").stdout
    commands = re.findall(r"^    ([a-z-]+)\s+\S", page, flags=re.MULTILINE)
    assert {"init-ca", "new-code", "disable", "revoke", "verify-audit"} <= set(commands)
    assert "4  the database could not be opened" in page
    for command in commands:
        for name, text in option_help(endpoint("admin", command, "--help").stdout).items():
            assert text.strip(), (command, name)


def test_a_clinician_is_named_the_same_way_in_every_command(server):
    staff_id = f"U{uuid.uuid4().hex[:10]}"
    added = server.admin("add-clinician", staff_id, "--email", f"{staff_id}@h.example",
                         "--name", "Una Usage")
    assert json.loads(added.stdout)["staff_id"] == staff_id
    for form in ([staff_id], ["--staff-id", staff_id]):
        code = json.loads(server.admin("new-code", *form).stdout)
        assert code["staff_id"] == staff_id and len(code["enrolment_code"]) == 24
        assert json.loads(server.admin("revoke", *form).stdout) == {"revoked": 0}

    twice = server.admin("new-code", staff_id, "--staff-id", "SOMEONE", check=False)
    assert twice.returncode == 2 and "given twice" in twice.stderr
    nobody = server.admin("disable", check=False)
    assert nobody.returncode == 2 and "disable C123 (or disable --staff-id C123)" in nobody.stderr
    unknown = server.admin("new-code", staff_id, "--hours", "4", check=False)
    assert unknown.returncode == 2  # said with new-code's own usage, not the top level's
    assert unknown.stderr.startswith("usage: medsnap-endpoint admin new-code")
    assert "unrecognized arguments: --hours" in unknown.stderr


def test_disable_and_enable_say_what_happened(server, enrol):
    device = enrol()
    staff_id = device.staff_id
    disabled = json.loads(server.admin("disable", staff_id).stdout)
    assert disabled["staff_id"] == staff_id and disabled["enabled"] is False
    assert disabled["changed"] is True and f"enable {staff_id}" in disabled["effect"]
    with pytest.raises(EndpointRefused):
        device.inbox()
    again = json.loads(server.admin("disable", "--staff-id", staff_id).stdout)
    assert again["changed"] is False and again["effect"] == "was already disabled"
    enabled = json.loads(server.admin("enable", staff_id).stdout)
    assert enabled["enabled"] is True and enabled["changed"] is True
    assert device.inbox() == []
