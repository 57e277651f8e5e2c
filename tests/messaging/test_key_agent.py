"""The key agent for real: `medsnap signin` starts it, later commands use it without a passphrase,
it serves one profile only, its socket is private, it locks on `medsnap lock` and when idle, and
a killed agent leaves commands asking for the passphrase with a plain message."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from file_keyring import FILE_ENV, FileKeyring
from messaging_support import PASSPHRASE, add_clinician, clean_png

from medsnap.crypto.keystore import KeyStore
from medsnap.messaging import agent_socket as wire
from medsnap.messaging.agent_client import connect_agent
from medsnap.messaging.agent_socket import AgentUnavailable
from medsnap.messaging.profile import Workstation
from medsnap.messaging.session import enrol

HERE = Path(__file__).resolve().parent
MEDSNAP = [str(Path(sys.executable).parent / "medsnap")]


@pytest.fixture(scope="module")
def ward(endpoint, tmp_path_factory):
    """One workstation folder, three enrolled clinicians, a short private runtime folder."""
    root = tmp_path_factory.mktemp("agent")
    runtime = Path(tempfile.mkdtemp(prefix="ms-run-"))  # short: socket paths are limited
    os.chmod(runtime, 0o700)
    keyring_file = root / "keyring.json"
    desk = Workstation(root / "home")
    keystore = KeyStore(keyring_backend=FileKeyring(keyring_file))
    people = {}
    for name in ("Ann Agent", "Bob Agent", "Cat Agent"):
        staff_id, code = add_clinician(endpoint, name)
        enrol(desk, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=keystore).close()
        people[name.split()[0]] = staff_id
    env = {**os.environ, "MEDSNAP_HOME": str(desk.home), "XDG_RUNTIME_DIR": str(runtime),
           "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring", FILE_ENV: str(keyring_file),
           "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    env.pop("MEDSNAP_PASSPHRASE", None)
    source = root / "source.png"
    source.write_bytes(clean_png(7, (160, 120)))
    ward = {"desk": desk, "env": env, "runtime": runtime, "source": source, **people}
    yield ward
    for staff_id in people.values():
        medsnap(ward, "lock", "--as", staff_id)
    shutil.rmtree(runtime, ignore_errors=True)


def medsnap(ward, *args: str, passphrase: str | None = None):
    env = dict(ward["env"])
    if passphrase:
        env["MEDSNAP_PASSPHRASE"] = passphrase
    return subprocess.run([*MEDSNAP, *args], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def socket_of(ward, staff_id: str) -> Path:
    os.environ["XDG_RUNTIME_DIR"], previous = str(ward["runtime"]), os.environ.get(
        "XDG_RUNTIME_DIR")
    try:
        return wire.agent_socket_path(ward["desk"].home, staff_id)
    finally:
        os.environ["XDG_RUNTIME_DIR"] = previous or ""


def agent_pid(path: Path) -> int:
    connection = wire.connect(path)
    try:
        import socket
        import struct

        raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
        return struct.unpack("3i", raw)[0]
    finally:
        connection.close()


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def signin(ward, staff_id: str, *extra: str) -> Path:
    done = medsnap(ward, "signin", staff_id, *extra, passphrase=PASSPHRASE)
    assert done.returncode == 0, done.stderr
    assert "key agent" in done.stdout
    return socket_of(ward, staff_id)


def test_signed_in_commands_need_no_passphrase_and_the_socket_is_private(ward):
    ann_crl = ward["desk"].profile(ward["Ann"]).folder / "crl.pem"
    assert not ann_crl.exists()  # enrolled, never synced
    ann_socket = signin(ward, ward["Ann"])
    assert stat.S_IMODE(os.lstat(ann_socket.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.lstat(ann_socket).st_mode) == 0o600
    # no key file: the agent's socket and the warm runner's (keyless) only
    assert {p.suffix for p in ann_socket.parent.iterdir()} == {".sock"}

    sent = medsnap(ward, "send", "--as", ward["Ann"], "--to", ward["Bob"],
                   str(ward["source"]), "--note", "agent note", "--redact", "0,0,9,9",
                   "--declare", "direct-care", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["state"] == "sent"
    assert ann_crl.exists()  # the first send fetched the CRL to check Bob's certificate

    # Bob has no agent: without a passphrase his command refuses plainly ...
    refused = medsnap(ward, "inbox", "--as", ward["Bob"], "--json")
    assert refused.returncode == 2 and "No passphrase given" in refused.stderr
    # ... and with his own agent it works; the letter opened through the agent verifies
    signin(ward, ward["Bob"])
    listed = medsnap(ward, "inbox", "--as", ward["Bob"], "--json")
    assert listed.returncode == 0, listed.stderr
    [item] = [i for i in json.loads(listed.stdout) if i.get("from_staff_id") == ward["Ann"]]
    assert item["state"] == "verified"
    saved = ward["runtime"].parent / f"{ward['Bob']}-opened.png"
    opened = medsnap(ward, "open", "--as", ward["Bob"], item["id"], "-o", str(saved), "--json")
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["note"] == "agent note"
    saved.unlink()


def test_the_agent_keeps_the_audit_head_so_commands_need_no_keyring_library(ward):
    signin(ward, ward["Cat"])
    probe = ("import sys\nfrom medsnap.cli import main\n"
             f"code = main(['send', '--as', {ward['Cat']!r}, '--to', {ward['Ann']!r}, "
             f"{str(ward['source'])!r}, '--declare', 'direct-care', '--json'])\n"
             "print(code, 'keyring' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], env=ward["env"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 False"
    log = ward["desk"].profile(ward["Cat"]).audit_path
    last = json.loads(log.read_text().splitlines()[-1])
    assert last["event"] == "sent"
    keyring_file = Path(ward["env"][FILE_ENV])
    deadline = time.monotonic() + 10  # the agent writes after its answer
    while True:
        kept = FileKeyring(keyring_file).get_password("MedSnap", f"{ward['Cat']}#audit-head")
        if kept and json.loads(kept) == {"entries": last["seq"], "hash": last["hash"]}:
            break
        assert time.monotonic() < deadline, kept
        time.sleep(0.05)
    verified = medsnap(ward, "audit", "verify", "--as", ward["Cat"])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    medsnap(ward, "lock", "--as", ward["Cat"])  # the tests below expect Cat without an agent


def test_another_profile_cannot_use_the_agent(ward):
    signin(ward, ward["Ann"])
    # Cat's command finds no agent of hers, so it asks (here: no passphrase -> refused)
    cat = medsnap(ward, "inbox", "--as", ward["Cat"])
    assert cat.returncode == 2 and "No passphrase given" in cat.stderr
    # speaking to Ann's socket directly as Cat, or as Ann of another workstation folder
    path = socket_of(ward, ward["Ann"])
    for staff_id, home in ((ward["Cat"], ward["desk"].home), (ward["Ann"], Path("/elsewhere"))):
        connection = wire.connect(path)
        wire.send_message(connection, {"op": "hello", "staff_id": staff_id,
                                       "home": str(home.resolve())})
        answer = wire.receive_message(connection)
        connection.close()
        assert answer == {"ok": False, "error": "wrong-profile",
                          "message": "This key agent holds another clinician's keys."}


def test_the_agent_signs_only_medsnap_requests_and_letters(ward, monkeypatch):
    signin(ward, ward["Ann"])
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(ward["runtime"]))
    agent = connect_agent(ward["desk"].home, ward["Ann"])
    assert agent is not None
    try:
        with pytest.raises(AgentUnavailable, match="requests and letters only"):
            agent.call("sign", b"anything else")
        request = b"MEDSNAP-REQUEST-V1\nGET\n/v1/inbox\n\n1\nn\nk\nb"
        agent.signing_public.verify(agent.call("sign", request), request)  # raises if bad
    finally:
        agent.close()
    from medsnap.crypto.letter import TYP
    from medsnap.messaging.agent_server import LETTER_TYP

    assert LETTER_TYP == TYP


def test_the_inbox_lists_every_preview_with_one_agent_request(ward, monkeypatch):
    """`medsnap inbox` opened each letter's sealed preview with its own agent request (one
    X25519 each: ~0.5 ms apiece, growing with the inbox); now one request for the list."""
    import sqlite3

    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from medsnap.messaging.agent_client import AgentEncryptionKey
    from medsnap.messaging.inbox_preview import Preview, PreviewTable

    signin(ward, ward["Ann"])
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(ward["runtime"]))
    agent = connect_agent(ward["desk"].home, ward["Ann"])
    try:
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE inbox (id TEXT PRIMARY KEY)")
        table = PreviewTable(db)
        previews = {f"m{n}": Preview(f"note {n}", "urgent" if n % 3 == 0 else "normal")
                    for n in range(12)}
        for item_id, preview in previews.items():
            table.keep(item_id, preview, agent.encryption_public)
        table.keep("other", Preview("not hers", "urgent"),
                   X25519PrivateKey.generate().public_key())  # sealed to someone else
        db.execute("INSERT INTO inbox_preview VALUES ('damaged', x'00ff')")
        calls = []
        real_call = agent.call
        monkeypatch.setattr(agent, "call", lambda op, data=b"": calls.append(op)
                            or real_call(op, data))
        found = table.read([*previews, "other", "damaged"], AgentEncryptionKey(agent))
        assert found == previews  # hers opened; the others are simply not shown
        assert calls == ["x25519-many"]
        # the agent answers as it does one at a time; a point giving no key, with zeros
        points = [X25519PrivateKey.generate().public_key().public_bytes_raw() for _ in range(3)]
        many = real_call("x25519-many", b"".join(points + [bytes(32)]))
        assert [many[i:i + 32] for i in range(0, 96, 32)] == [
            real_call("x25519", point) for point in points]
        assert many[96:] == bytes(32)
        with pytest.raises(AgentUnavailable, match="32 bytes"):
            real_call("x25519-many", b"short")

        def earlier_agent(op, data=b""):  # an agent started by an earlier MedSnap
            calls.append(op)
            if op == "x25519-many":
                raise AgentUnavailable("The key agent refused: unknown operation")
            return real_call(op, data)

        calls.clear()
        monkeypatch.setattr(agent, "call", earlier_agent)
        assert table.read(list(previews), AgentEncryptionKey(agent)) == previews
        assert calls == ["x25519-many"] + ["x25519"] * len(previews)  # one at a time, as before
    finally:
        agent.close()


def test_lock_drops_the_keys_and_the_next_command_asks_again(ward):
    path = signin(ward, ward["Ann"])
    pid = agent_pid(path)
    locked = medsnap(ward, "lock", "--as", ward["Ann"])
    assert locked.returncode == 0 and ward["Ann"] in locked.stdout
    assert gone(pid) and not path.exists()
    asked = medsnap(ward, "inbox", "--as", ward["Ann"])
    assert asked.returncode == 2 and "No passphrase given" in asked.stderr
    again = medsnap(ward, "inbox", "--as", ward["Ann"], passphrase=PASSPHRASE)
    assert again.returncode == 0, again.stderr
    assert medsnap(ward, "lock", "--as", ward["Ann"]).stdout.startswith("Nothing to lock")


def test_killed_agent_means_a_plain_message_then_the_passphrase(ward):
    path = signin(ward, ward["Ann"])
    os.kill(agent_pid(path), signal.SIGKILL)
    assert path.exists()  # a killed agent cannot remove its socket
    fallback = medsnap(ward, "inbox", "--as", ward["Ann"], passphrase=PASSPHRASE)
    assert fallback.returncode == 0, fallback.stderr
    assert "key agent is not running any more" in fallback.stderr
    assert "Asking for your passphrase instead" in fallback.stderr
    assert "Traceback" not in fallback.stderr and not path.exists()


def test_agent_locks_after_the_idle_time_a_command_restarts_it(ward):
    path = signin(ward, ward["Ann"], "--lock-after", "8")
    signed_in = time.monotonic()  # the agent started before this: idle from then on
    pid = agent_pid(path)
    time.sleep(4)
    used = medsnap(ward, "outbox", "--as", ward["Ann"])  # needs no keys: no activity
    assert used.returncode == 0
    listed = medsnap(ward, "inbox", "--as", ward["Ann"], "--offline")  # uses the agent
    assert listed.returncode == 0, listed.stderr
    # alive past the first deadline (8 s after sign-in): the command restarted the clock
    assert not gone(pid, within=signed_in + 9 - time.monotonic())
    assert gone(pid, within=15) and not path.exists()
    events = [json.loads(line) for line in (ward["desk"].profile(ward["Ann"]).audit_path)
              .read_text().splitlines()]
    assert events[-1]["event"] == "lock" and events[-1]["detail"]["why"] == "idle"


def test_private_folder_refuses_a_folder_open_to_others(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    with pytest.raises(AgentUnavailable, match="not private"):
        wire.private_folder(folder)
    os.chmod(folder, 0o700)
    assert wire.private_folder(folder) == folder


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second user")
def test_another_user_is_refused_even_past_the_folder(ward):
    """The uid check itself: the folder and socket are opened up on purpose for this test."""
    path = signin(ward, ward["Ann"])
    for folder in (path.parent.parent, path.parent):
        os.chmod(folder, 0o711)
    os.chmod(path, 0o666)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become nobody, knock, report what the agent said
        try:
            os.setgid(65534)
            os.setuid(65534)
            connection = wire.connect(path)
            wire.send_message(connection, {"op": "hello"})
            os.write(writing, json.dumps(wire.receive_message(connection)).encode())
        except BaseException as error:
            os.write(writing, repr(error).encode())
        finally:
            os._exit(0)
    os.close(writing)
    try:
        _, status = os.waitpid(pid, 0)
        said = os.read(reading, 4096).decode()
    finally:
        os.close(reading)
        for folder in (path.parent.parent, path.parent):
            os.chmod(folder, 0o700)
    assert os.waitstatus_to_exitcode(status) == 0
    assert said.startswith("{"), said
    assert json.loads(said) == {"ok": False, "error": "wrong-user",
                                "message": "This key agent serves another user."}
