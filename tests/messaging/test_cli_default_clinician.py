"""A new user's findings on a shared login, with real commands against a real endpoint:
a one-off command 'as' a colleague, with that colleague's passphrase, leaves the default
with the clinician who signed in ('default: who signed in last'); only a real sign-in moves
it. And a reader that stops early (`| head -1`) ends every command's output quietly, run
cold or in the warm runner's child, with the command's own exit code and its work done."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from messaging_support import PASSPHRASE
from warm_support import (MEDSNAP, Paused, agent_socket_of, children_of, close_ward, cold,
                          make_ward, medsnap, pid_behind, runner_pid, signin, wait_until)


@pytest.fixture(scope="module")
def ward(endpoint, tmp_path_factory):
    ward = make_ward(endpoint, tmp_path_factory.mktemp("default"), ("Ann", "Bob"))
    signin(ward, ward["Ann"])  # Ann's key agent; the warm runner
    yield ward
    close_ward(ward)


def outbox_ids(ward, *who: str) -> list[str]:
    listed = medsnap(ward, "outbox", *who, "--json")
    assert listed.returncode == 0, listed.stderr
    return [item["id"] for item in json.loads(listed.stdout)]


def send(ward, *extra: str, env: dict | None = None, **kwargs):
    return medsnap(ward, "send", "--to", ward["Bob"], "scan.png", "--declare", "direct-care",
                   "--json", *extra, env=env, **kwargs)


@pytest.mark.parametrize("how", ["stdin", "environment", "cold"])
def test_a_one_off_command_as_a_colleague_leaves_the_default_alone(ward, how):
    if how == "stdin":  # (the warm runner's child unlocks Bob: --passphrase-stdin)
        done = medsnap(ward, "inbox", "--as", ward["Bob"], "--passphrase-stdin",
                       stdin=PASSPHRASE + "\n")
    elif how == "environment":
        done = medsnap(ward, "sync", "--as", ward["Bob"], env={"MEDSNAP_PASSPHRASE": PASSPHRASE})
    else:
        done = cold(ward, "inbox", "--as", ward["Bob"], "--passphrase-stdin",
                    stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert ward["desk"].read()["current"] == ward["Ann"]
    # no --as, no passphrase: Ann's, from her key agent, as before Bob's command
    sent = send(ward)
    assert sent.returncode == 0, sent.stderr
    assert "Passphrase for" not in sent.stderr
    message = json.loads(sent.stdout)["id"]
    assert message in outbox_ids(ward) and message not in outbox_ids(ward, "--as", ward["Bob"])
    log = json.loads(medsnap(ward, "audit", "show", "--json").stdout)
    assert message in [entry["detail"].get("id") for entry in log]


def test_a_real_sign_in_moves_the_default_a_one_off_sync_does_not(ward):
    done = medsnap(ward, "sync", "--as", ward["Bob"], "--passphrase-stdin",
                   stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    assert ward["desk"].read()["current"] == ward["Ann"]
    signin(ward, ward["Bob"])
    try:
        assert ward["desk"].read()["current"] == ward["Bob"]
        assert outbox_ids(ward) == outbox_ids(ward, "--as", ward["Bob"])
        assert outbox_ids(ward) != outbox_ids(ward, "--as", ward["Ann"])
    finally:
        signin(ward, ward["Ann"])  # the module's default again
        assert ward["desk"].read()["current"] == ward["Ann"]


def closed_pipe_run(ward, args, *, warm: bool = True, buffered: bool = False):
    """``medsnap ARGS`` writing into a pipe whose reader is gone, as after `| head -1`."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**ward["env"], "PYTHONUNBUFFERED": "" if buffered else "1"}
    if not warm:
        env["MEDSNAP_WARM_RUNNER"] = "off"
    try:
        return subprocess.Popen([MEDSNAP, *args], env=env,
                                stdin=subprocess.DEVNULL, stdout=write_end,
                                stderr=subprocess.PIPE, text=True, cwd=ward["root"] / "work")
    finally:
        os.close(write_end)


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("args, warm", [  # (help and audit never go to the warm runner)
    (["--help"], False), (["audit", "show"], False),
    (["outbox"], True), (["outbox"], False), (["outbox", "--json"], True),
    (["outbox", "--json"], False)], ids=lambda value: "-".join(value)
    if isinstance(value, list) else ("warm" if value else "cold"))
def test_a_closed_pipe_ends_the_output_quietly(ward, args, warm, buffered):
    command = closed_pipe_run(ward, args, warm=warm, buffered=buffered)
    _, err = command.communicate(timeout=120)
    assert err == "" and command.returncode == 0, err


def test_a_commands_help_into_a_closed_pipe_ends_quietly(ward):
    # (argparse drops a failed write itself; the flush at exit used to fail: exit 120)
    command = closed_pipe_run(ward, ["outbox", "--help"], buffered=True)
    _, err = command.communicate(timeout=120)
    assert err == "" and command.returncode == 0, err


def test_a_warm_send_into_a_closed_pipe_still_sends_and_says_nothing(ward):
    runner = runner_pid(ward)
    before = outbox_ids(ward)
    with Paused(pid_behind(agent_socket_of(ward, ward["Ann"]))):  # see who runs it
        command = closed_pipe_run(ward, ["send", "--to", ward["Bob"], "scan.png",
                                         "--declare", "direct-care", "--json"])
        assert wait_until(lambda: len(children_of(runner)) == 1, 30)  # the runner's child
    _, err = command.communicate(timeout=120)
    assert err == "" and command.returncode == 0, err
    assert len(outbox_ids(ward)) == len(before) + 1
