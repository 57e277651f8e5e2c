"""The warm runner for real: after `medsnap signin`, send/inbox/open run in a child of the
keyless runner (seen in the process tree, in the command's own working folder), with the
same output and exit codes as the command run cold, its standard input and environment; a
command that cannot use it (other code, a killed runner) runs cold; Ctrl+C and a killed
command stop the child's work as they stop a cold command's; lock stops the runner."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from messaging_support import PASSPHRASE, endpoint_copies
from warm_support import (Paused, agent_socket_of, alive, children_of, close_ward, cold,
                          make_ward, medsnap, pid_behind, runner_pid, runner_socket, signin,
                          start, wait_until, working_folder)


@pytest.fixture(scope="module")
def ward(endpoint, tmp_path_factory):
    ward = make_ward(endpoint, tmp_path_factory.mktemp("warm"), ("Ann", "Bob", "Cat"))
    signin(ward, ward["Ann"])
    signin(ward, ward["Bob"])
    ward["endpoint"] = endpoint
    yield ward
    close_ward(ward)


def send_args(ward, sender: str = "Ann") -> list[str]:
    return ["send", "--as", ward[sender], "--to", ward["Bob"], "scan.png",  # cwd-relative
            "--declare", "direct-care", "--json"]


def running_in_runner(ward, runner: int) -> int:
    """The runner's one child, once there, checked to work in the command's folder."""
    assert wait_until(lambda: len(children_of(runner)) == 1, 30), children_of(runner)
    [child] = children_of(runner)
    if os.getuid() == 0:  # not dumpable, as the runner: only root reads where it works
        assert working_folder(child) == str(ward["root"] / "work")
    return child


def test_a_signed_in_send_runs_in_a_child_of_the_runner(ward):
    runner = runner_pid(ward)
    agent = pid_behind(agent_socket_of(ward, ward["Ann"]))
    with Paused(agent):  # the child waits for the agent: look at who runs the command
        command = start(ward, *send_args(ward))
        child = running_in_runner(ward, runner)
        assert children_of(command.pid) == []  # the command itself only waits
        if os.getuid() == 0:  # (only root reads a not-dumpable process's descriptors)
            # the command's three streams, each once: no second copy keeping a pipe open
            streams = [os.readlink(f"/proc/{child}/fd/{fd}") for fd in (0, 1, 2)]
            held = [os.readlink(f"/proc/{child}/fd/{name}")
                    for name in os.listdir(f"/proc/{child}/fd")]
            assert sorted(target for target in held if target in streams) == sorted(streams)
    out, err = command.communicate(timeout=120)
    assert command.returncode == 0, err
    assert json.loads(out)["state"] == "sent"
    assert not alive(child)  # reaped


def test_warm_and_cold_give_the_same_output_and_exit_codes(ward):
    runner_pid(ward)
    assert medsnap(ward, *send_args(ward)).returncode == 0  # a letter for Bob to open
    medsnap(ward, "inbox", "--as", ward["Bob"], "--json")  # fetch once: both list the same
    cases = [("inbox", "--as", ward["Bob"], "--json"), ("outbox", "--as", ward["Ann"]),
             ("open", "--as", ward["Bob"], "999999", "-o", "out.png"),
             ("send", "--as", ward["Ann"], "--to", "nobody-of-that-name", "scan.png",
              "--declare", "direct-care"),
             ("send", "--as", ward["Ann"], "--to", ward["Bob"], "scan.png"),  # no --declare
             ("inbox", "--no-such-option")]
    for args in cases:
        warm, plain = medsnap(ward, *args), cold(ward, *args)
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            plain.returncode, plain.stdout, plain.stderr), args
    codes = {medsnap(ward, *args).returncode for args in cases}
    assert codes == {0, 2}
    # open writes where the command was started (cwd-relative), warm as cold
    [item, *_] = json.loads(medsnap(ward, "inbox", "--as", ward["Bob"], "--json").stdout)
    work = ward["root"] / "work"
    for run, name in ((medsnap, "warm.png"), (cold, "cold.png")):
        done = run(ward, "open", "--as", ward["Bob"], item["id"], "-o", name)
        assert done.returncode == 0, done.stderr
    assert (work / "warm.png").read_bytes() == (work / "cold.png").read_bytes()


def test_the_child_reads_the_commands_stdin_and_environment(ward):
    runner = runner_pid(ward)
    by_option = medsnap(ward, "inbox", "--as", ward["Bob"], "--json")
    by_env = medsnap(ward, "inbox", "--json", env={"MEDSNAP_STAFF_ID": ward["Bob"]})
    assert by_env.returncode == 0 and json.loads(by_env.stdout) == json.loads(by_option.stdout)
    # Cat has no agent: with --passphrase-stdin the child reads the command's stdin
    command = start(ward, *send_args(ward, "Cat"), "--passphrase-stdin")
    running_in_runner(ward, runner)  # waiting for the passphrase on the command's stdin
    out, err = command.communicate(PASSPHRASE + "\n", timeout=120)
    assert command.returncode == 0, err
    assert json.loads(out)["state"] == "sent"
    # without a passphrase she is asked at the terminal: that runs cold, as before
    asked = medsnap(ward, "inbox", "--as", ward["Cat"])
    assert asked.returncode == 2 and "No passphrase given" in asked.stderr


def test_on_a_terminal_the_prompt_is_the_commands_own(ward):
    from messaging_support import Terminal

    from warm_support import MEDSNAP

    runner = runner_pid(ward)
    seen: set[int] = set()
    # Cat has no agent: the passphrase is asked on the command's own terminal (run cold)
    plain = cold(ward, "inbox", "--as", ward["Cat"], "--offline",
                 env={"MEDSNAP_PASSPHRASE": PASSPHRASE}).stdout.splitlines()[0]
    with Terminal([MEDSNAP, "inbox", "--as", ward["Cat"], "--offline"],
                  env=ward["env"]) as terminal:
        asked = terminal.read_until(f"Passphrase for {ward['Cat']}: ".encode(),
                                    time.monotonic() + 30)
        seen.update(children_of(runner))
        assert asked, terminal.seen
        terminal.write(PASSPHRASE.encode() + b"\r")
        assert terminal.read_until(plain.encode(), time.monotonic() + 60), terminal.seen
    assert not seen  # Cat's command ran in its own process
    # Ann's agent is there: warm, and the child writes to the command's terminal
    plain = cold(ward, "outbox", "--as", ward["Ann"]).stdout.splitlines()[0]
    with Terminal([MEDSNAP, "outbox", "--as", ward["Ann"]], env=ward["env"]) as terminal:
        assert terminal.read_until(plain.encode(), time.monotonic() + 30), terminal.seen
    assert b"Passphrase" not in terminal.seen


def test_ctrl_c_and_a_killed_command_stop_the_childs_work(ward):
    runner = runner_pid(ward)
    agent = pid_behind(agent_socket_of(ward, ward["Ann"]))
    sent_before = endpoint_copies(ward["endpoint"], ward["Ann"])
    queued_before = medsnap(ward, "outbox", "--as", ward["Ann"]).stdout
    codes = []
    for env in ({}, {"MEDSNAP_WARM_RUNNER": "off"}):  # warm, then cold
        with Paused(agent):
            interrupted = start(ward, *send_args(ward), env=env)
            if not env:
                running_in_runner(ward, runner)
            time.sleep(1.5)  # past start-up (Ctrl+C then ends Python itself: -2, both ways)
            interrupted.send_signal(signal.SIGINT)  # Ctrl+C reaches the command's process
        out, err = interrupted.communicate(timeout=60)
        codes.append((interrupted.returncode, err))
    assert codes[0] == codes[1] == (130, '')  # as medsnap answers Ctrl+C itself
    with Paused(agent):
        killed = start(ward, *send_args(ward))
        child = running_in_runner(ward, runner)
        killed.kill()
        killed.communicate(timeout=60)
        assert wait_until(lambda: not alive(child), 10)  # the work went with the command
    assert wait_until(lambda: children_of(runner) == [], 10)
    assert endpoint_copies(ward["endpoint"], ward["Ann"]) == sent_before
    assert medsnap(ward, "outbox", "--as", ward["Ann"]).stdout == queued_before


def test_a_child_that_dies_is_reported_not_waited_for(ward):
    runner = runner_pid(ward)
    agent = pid_behind(agent_socket_of(ward, ward["Ann"]))
    with Paused(agent):
        command = start(ward, *send_args(ward))
        child = running_in_runner(ward, runner)
        os.kill(child, signal.SIGKILL)
        _out, err = command.communicate(timeout=60)
    assert command.returncode == 128 + signal.SIGKILL
    assert "ended unexpectedly" in err and "SIGKILL" in err


def test_other_code_or_a_dead_runner_means_cold_and_correct(ward):
    runner = runner_pid(ward)
    seen: set[int] = set()
    command = start(ward, "inbox", "--as", ward["Bob"], env={"PYTHONWARNINGS": "ignore"})
    while command.poll() is None:  # another start-up environment: the runner refuses
        seen.update(children_of(runner))
        time.sleep(0.005)
    assert command.returncode == 0 and not seen
    os.kill(runner, signal.SIGKILL)  # its socket stays behind
    assert wait_until(lambda: not alive(runner), 10)
    assert os.path.exists(runner_socket(ward))
    after = medsnap(ward, "inbox", "--as", ward["Bob"], "--json")
    assert after.returncode == 0 and after.stderr == ""
    signin(ward, ward["Ann"])  # a new runner replaces the stale socket
    assert runner_pid(ward) != runner


def test_a_runner_whose_code_changed_on_disk_stops_and_commands_run_cold(ward, tmp_path):
    import shutil
    from pathlib import Path

    copy = tmp_path / "code"
    shutil.copytree(Path(ward["env"]["PYTHONPATH"].split(os.pathsep)[0]) / "medsnap",
                    copy / "medsnap")
    env = {"PYTHONPATH": os.pathsep.join([str(copy), ward["env"]["PYTHONPATH"]])}
    done = medsnap(ward, "signin", ward["Ann"], env={**env, "MEDSNAP_PASSPHRASE": PASSPHRASE})
    assert done.returncode == 0, done.stderr
    runner = runner_pid(ward)
    assert medsnap(ward, "outbox", "--as", ward["Ann"], env=env).returncode == 0
    assert cold(ward, "outbox", "--as", ward["Ann"]).returncode == 0  # the other code: cold
    assert alive(runner)
    changed = copy / "medsnap" / "messaging" / "outbox.py"  # as an upgrade would
    changed.write_text(changed.read_text() + "\n# upgraded\n")
    upgraded = medsnap(ward, "outbox", "--as", ward["Ann"], env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert wait_until(lambda: not alive(runner), 10)  # it refused, and stopped
    signin(ward, ward["Ann"])  # back to this checkout's code for the tests below


def test_lock_and_the_idle_lock_stop_the_runner(ward):
    runner = runner_pid(ward)
    assert medsnap(ward, "lock", "--as", ward["Ann"]).returncode == 0
    time.sleep(1.0)
    assert alive(runner)  # Bob is still signed in
    assert medsnap(ward, "lock", "--as", ward["Bob"]).returncode == 0
    assert wait_until(lambda: not alive(runner), 5)
    assert not os.path.exists(runner_socket(ward))
    signin(ward, ward["Ann"], "--lock-after", "2")
    runner = runner_pid(ward)
    assert wait_until(lambda: not alive(runner), 15)  # the agent locked when idle
    assert not os.path.exists(runner_socket(ward))
    signin(ward, ward["Ann"])
    signin(ward, ward["Bob"])


def test_agents_killed_leave_no_runner_behind(ward):
    """A killed agent leaves its socket file: the runner asks whether anyone answers there."""
    runner = runner_pid(ward)
    for staff_id in (ward["Ann"], ward["Bob"]):
        os.kill(pid_behind(agent_socket_of(ward, staff_id)), signal.SIGKILL)
    assert os.path.exists(agent_socket_of(ward, ward["Ann"]))  # stale, as a crash leaves it
    assert wait_until(lambda: not alive(runner), 10)
    assert not os.path.exists(runner_socket(ward))
    signin(ward, ward["Ann"])  # (the stale socket is replaced)
    signin(ward, ward["Bob"])


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_use_the_runner(ward):
    runner_pid(ward)
    path = runner_socket(ward)
    assert connect_as_nobody(path) == "PermissionError"  # the private folder keeps them out
    folders = [os.path.dirname(path), os.path.dirname(os.path.dirname(path))]
    for folder in folders:
        os.chmod(folder, 0o711)
    os.chmod(path, 0o666)
    try:  # even with the folders and socket opened up, the uid check refuses
        assert connect_as_nobody(path) == "wrong-user"
    finally:
        os.chmod(path, 0o600)
        for folder in folders:
            os.chmod(folder, 0o700)


def connect_as_nobody(path: str) -> str:
    """Fork, become nobody, ask the runner to run 'inbox'; what happened."""
    import socket

    from medsnap.messaging import warm_wire

    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        outcome = "crashed"
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(10)
            try:
                connection.connect(path)
                warm_wire.send_frame(connection, {
                    "op": "run", "version": warm_wire.PROTOCOL_VERSION, "argv": ["inbox"],
                    "identity": warm_wire.interpreter_identity(), "cwd": "/", "env": {},
                    "umask": 0o22}, [0, 1, 2])
                answer, _ = warm_wire.receive_frame(connection)
                outcome = str((answer or {}).get("why"))
            except PermissionError:
                outcome = "PermissionError"
        except BaseException as error:  # noqa: BLE001 - said to the test
            outcome = f"crashed: {error!r}"
        finally:
            os.write(writing, outcome.encode())
            os._exit(0)
    os.close(writing)
    os.waitpid(pid, 0)
    with os.fdopen(reading) as result:
        return result.read()


def test_the_runner_socket_is_in_the_agents_private_folder(monkeypatch, tmp_path):
    from pathlib import Path

    from medsnap.messaging import agent_socket, warm_wire

    for runtime in (str(tmp_path), None):  # with XDG_RUNTIME_DIR, and without: MEDSNAP_HOME/run
        if runtime:
            monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
        else:
            monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
        home = tmp_path / "home"
        assert Path(warm_wire.runner_socket_path(str(home))).parent == \
            agent_socket.agent_socket_path(home, "someone").parent


GIVE_UP_AFTER_READY = r"""
import os, socket, sys
from medsnap.messaging import warm_wire as wire
connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
connection.connect(wire.runner_socket_path(wire.medsnap_home_text()))
request = {"op": "run", "version": wire.PROTOCOL_VERSION, "identity": wire.interpreter_identity(),
           "argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ), "umask": 0o077}
wire.send_frame(connection, request, [0, 1, 2])
answer, _ = wire.receive_frame(connection)
print(answer)
connection.close()  # gave up waiting: it would now run the command itself
"""


def test_a_command_that_gave_up_waiting_is_never_run_by_the_runner(ward):
    """Review: a runner that answered late (still importing) forked the command after the
    command had given up and run it itself: a send could go twice. The runner now forks only
    on the command's "go" after its own "ready"."""
    import subprocess
    import sys

    runner = runner_pid(ward)
    before = endpoint_copies(ward["endpoint"], ward["Ann"])
    done = subprocess.run([sys.executable, "-c", GIVE_UP_AFTER_READY, *send_args(ward)],
                          env=ward["env"], cwd=ward["root"] / "work", capture_output=True,
                          text=True, timeout=60)
    assert "'ready': True" in done.stdout, done.stdout + done.stderr
    time.sleep(1.0)
    assert children_of(runner) == [] and alive(runner)
    assert endpoint_copies(ward["endpoint"], ward["Ann"]) == before
