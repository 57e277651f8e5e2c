"""The command line as a newcomer uses it: `medsnap demo`, send, inbox, open, outbox, sync,
audit verify - each a real process; then no plaintext image anywhere in the profile or temp."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from messaging_support import clean_png, markers_of, scan_for_plaintext
from file_keyring import FILE_ENV

from medsnap.imaging import find_metadata, load_picture
from medsnap.messaging.demo import COLLEAGUES

HERE = Path(__file__).resolve().parent
MEDSNAP = [str(Path(sys.executable).parent / "medsnap")]
ADA, BEN = COLLEAGUES[0], COLLEAGUES[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    folders = {name: root / name for name in ("home", "tmp", "user")}
    for folder in folders.values():
        folder.mkdir()
    env = {**os.environ, "MEDSNAP_HOME": str(folders["home"]), "TMPDIR": str(folders["tmp"]),
           "HOME": str(folders["user"]), "XDG_CACHE_HOME": str(folders["user"] / "cache"),
           "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
           FILE_ENV: str(root / "keyring.json"),
           "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    env.pop("MEDSNAP_PASSPHRASE", None)
    process = subprocess.Popen([*MEDSNAP, "demo", "--port", "0"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    shown = []
    deadline = time.monotonic() + 120
    for line in process.stdout:
        shown.append(line)
        if "Serving until Ctrl+C" in line or time.monotonic() > deadline:
            break
    assert "Serving until Ctrl+C" in "".join(shown), "".join(shown)
    yield {"env": env, "root": root, "folders": folders, "shown": "".join(shown),
           "process": process}
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def medsnap(demo, *args: str, passphrase: str | None = None, stdin: str | None = None):
    env = dict(demo["env"])
    if passphrase:
        env["MEDSNAP_PASSPHRASE"] = passphrase
    return subprocess.run([*MEDSNAP, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_demo_prints_address_and_colleagues_with_passphrases(demo):
    assert "Demo endpoint: http://127.0.0.1:" in demo["shown"]
    for person in COLLEAGUES:
        assert person.staff_id in demo["shown"] and person.passphrase in demo["shown"]
    hint = next(line for line in demo["shown"].splitlines() if "medsnap send" in line)
    assert "--declare " in hint  # the example a newcomer copies must run as printed


def test_send_inbox_open_outbox_audit_then_no_plaintext_anywhere(demo):
    source = demo["root"] / "source.png"
    source.write_bytes(clean_png(31, (320, 240)))
    sent = medsnap(demo, "send", "--as", ADA.staff_id, "--to", BEN.name, str(source),
                   "--note", "line 3 please", "--declare", "direct-care",
                   "--redact", "0,0,40,40", "--crop", "0,0,300,200", "--json",
                   passphrase=ADA.passphrase)
    assert sent.returncode == 0, sent.stderr
    message = json.loads(sent.stdout)
    assert message["state"] == "sent" and message["to"] == [BEN.staff_id]

    listed = medsnap(demo, "inbox", "--as", BEN.staff_id, "--passphrase-stdin", "--json",
                     stdin=BEN.passphrase + "\n")
    assert listed.returncode == 0, listed.stderr
    [item] = json.loads(listed.stdout)
    assert item["state"] == "verified" and item["from_staff_id"] == ADA.staff_id
    assert item["declaration"] == "direct-care" and "line 3" not in listed.stdout  # no content

    received = demo["root"] / "received.png"
    opened = medsnap(demo, "open", "--as", BEN.staff_id, item["id"], "-o", str(received),
                     "--json", passphrase=BEN.passphrase)
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["note"] == "line 3 please"
    image = received.read_bytes()
    assert find_metadata(image) == []
    picture = load_picture(image)
    assert (picture.width, picture.height) == (300, 200)
    assert picture.image.getpixel((5, 5))[:3] == (0, 0, 0)  # redacted

    synced = medsnap(demo, "sync", "--as", ADA.staff_id, passphrase=ADA.passphrase)
    assert synced.returncode == 0, synced.stderr
    outbox = medsnap(demo, "outbox", "--as", ADA.staff_id, "--json")
    assert [m["state"] for m in json.loads(outbox.stdout)] == ["read"]

    for person in (ADA, BEN):
        verified = medsnap(demo, "audit", "verify", "--as", person.staff_id)
        assert verified.returncode == 0 and "intact" in verified.stdout
    events = json.loads(medsnap(demo, "audit", "show", "--as", BEN.staff_id, "--json").stdout)
    assert [e["event"] for e in events][-3:] == ["received", "opened", "saved"]
    # both logs name the letter alike, and the sender's says what was declared about it
    sent = json.loads(medsnap(demo, "audit", "show", "--as", ADA.staff_id, "--json").stdout)
    [queued] = [e["detail"] for e in sent if e["event"] == "queued"]
    assert queued["id"] == events[-3]["detail"]["message_id"] == message["id"]
    assert queued["declaration"] == "direct-care"
    # read before Ada's first sync saw it delivered: her log still says delivered, then read
    assert [e["event"] for e in sent if e["detail"].get("id") == message["id"]] == [
        "queued", "sent", "delivered", "read"]
    shown = medsnap(demo, "audit", "show", "--as", ADA.staff_id).stdout
    assert f"id={message['id']}" in shown and "to=demo.ben" in shown and "{" not in shown

    leaks = scan_for_plaintext(list(demo["folders"].values()), markers_of(image))
    assert leaks == []
    # positive control: the same scan finds the copy that was saved on purpose
    assert any(str(received) in hit for hit in scan_for_plaintext([demo["root"]],
                                                                 markers_of(image)))


def test_errors_are_plain_with_exit_codes(demo):
    wrong = medsnap(demo, "inbox", "--as", BEN.staff_id, passphrase="not the right one 123")
    assert wrong.returncode == 6 and "does not unlock" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    nobody = medsnap(demo, "send", "--as", ADA.staff_id, "--to", "Nobody Atall",
                     str(demo["root"] / "source.png"), "--declare", "direct-care",
                     passphrase=ADA.passphrase)
    assert nobody.returncode == 2 and "matches 0 colleagues" in nobody.stderr
    missing = medsnap(demo, "open", "--as", BEN.staff_id, "999", "-o",
                      str(demo["root"] / "x.png"), passphrase=BEN.passphrase)
    assert missing.returncode == 2 and "no message 999" in missing.stderr
    no_passphrase = medsnap(demo, "sync", "--as", ADA.staff_id, stdin="")
    assert no_passphrase.returncode == 2 and "passphrase" in no_passphrase.stderr


def test_send_and_inbox_exit_without_teardown_after_their_output(demo):
    # as a program, inbox skips the interpreter's teardown (atexit does not run) once its
    # output is flushed; outbox, and inbox called with arguments, return as usual
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('TEARDOWN', flush=True))\n"
             "from medsnap.cli import main\n"
             "sys.argv = ['medsnap', *sys.argv[1:]]\n"
             "sys.exit(main() if sys.argv[1] != 'args' else main(sys.argv[2:]))\n")
    env = {**demo["env"], "MEDSNAP_PASSPHRASE": BEN.passphrase}

    def run(*args: str):
        return subprocess.run([sys.executable, "-c", probe, *args], env=env,
                              capture_output=True, text=True, timeout=120)

    inbox = run("inbox", "--as", BEN.staff_id, "--json")
    assert inbox.returncode == 0, inbox.stderr
    assert isinstance(json.loads(inbox.stdout), list) and "TEARDOWN" not in inbox.stdout
    for usual in (run("outbox", "--as", BEN.staff_id, "--json"),
                  run("args", "inbox", "--as", BEN.staff_id, "--json")):
        assert usual.returncode == 0, usual.stderr
        assert usual.stdout.rstrip().endswith("TEARDOWN")
    refused = run("inbox", "--as", BEN.staff_id, "--passphrase-stdin")  # no stdin line
    assert refused.returncode == 2 and "passphrase" in refused.stderr.lower()
    assert "TEARDOWN" not in refused.stdout


def test_audit_verify_detects_tampering(demo):
    log = demo["folders"]["home"] / "profiles" / ADA.staff_id / "audit.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    assert len(lines) >= 3
    original = "".join(lines)
    try:
        entry = json.loads(lines[1])
        entry["detail"]["size"] = 1
        log.write_text(lines[0] + json.dumps(entry) + "\n" + "".join(lines[2:]))
        changed = medsnap(demo, "audit", "verify", "--as", ADA.staff_id)
        assert changed.returncode == 1 and "line 2: its contents were changed" in changed.stdout
        log.write_text(lines[0] + "".join(lines[2:]))
        removed = medsnap(demo, "audit", "verify", "--as", ADA.staff_id, "--json")
        assert removed.returncode == 1
        assert "does not follow" in " ".join(json.loads(removed.stdout)["problems"])
        log.write_text("".join(lines[:-1]))  # the last entry cut off: the chain is intact
        cut = medsnap(demo, "audit", "verify", "--as", ADA.staff_id)
        assert cut.returncode == 1 and "lines were removed from the end" in cut.stdout
    finally:
        log.write_text(original)
    assert medsnap(demo, "audit", "verify", "--as", ADA.staff_id).returncode == 0


def test_enrol_with_a_code_then_sign_in_on_a_fresh_workstation(demo, tmp_path):
    database = f"sqlite:///{demo['folders']['home'] / 'demo' / 'endpoint.db'}"
    added = subprocess.run([str(Path(sys.executable).parent / "medsnap-endpoint"), "admin",
                            "--database", database, "add-clinician", "--staff-id", "newbie1",
                            "--email", "newbie1@demo.medsnap.invalid", "--name", "Nia New"],
                           capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    code = json.loads(added.stdout)["enrolment_code"]
    passphrase = "quiet meadow keeps 9 lanterns"
    enrolled = medsnap(demo, "enrol", code, "--staff-id", "newbie1", "--passphrase-stdin",
                       stdin=passphrase + "\n")
    assert enrolled.returncode == 0, enrolled.stderr
    assert "Enrolled Nia New (newbie1)" in enrolled.stdout
    again = medsnap(demo, "enrol", code, "--staff-id", "newbie1", passphrase=passphrase)
    assert again.returncode == 9 and "already used" in again.stderr  # one-time code

    fresh = dict(demo["env"], MEDSNAP_HOME=str(tmp_path / "home"),
                 MEDSNAP_ENDPOINT=demo["shown"].split("Demo endpoint: ")[1].split()[0])
    fresh["MEDSNAP_TEST_KEYRING_FILE"] = str(tmp_path / "keyring.json")
    signed = subprocess.run([*MEDSNAP, "signin", "newbie1", "--passphrase-stdin"], env=fresh,
                            input=passphrase + "\n", capture_output=True, text=True,
                            timeout=120)
    assert signed.returncode == 0, signed.stderr
    assert "Signed in as Nia New (newbie1)" in signed.stdout
    listed = subprocess.run([*MEDSNAP, "inbox", "--json"], env={**fresh,
                            "MEDSNAP_PASSPHRASE": passphrase}, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    locked = subprocess.run([*MEDSNAP, "lock"], env=fresh, capture_output=True, text=True,
                            timeout=60)  # the sign-in's key agent: stopped, not left running
    assert locked.returncode == 0 and "newbie1" in locked.stdout


def test_open_saves_only_under_a_name_that_says_what_the_bytes_are(demo):
    [item] = json.loads(medsnap(demo, "inbox", "--as", BEN.staff_id, "--json",
                                passphrase=BEN.passphrase).stdout)[:1]  # a PNG (first test)
    existing = demo["root"] / "existing.png"
    existing.write_bytes(b"keep me")
    for name, said in (("existing.png", "already exists"), ("y.jpg", "name the file 'y.png'"),
                       ("y.webp", "name the file 'y.png'")):
        refused = medsnap(demo, "open", "--as", BEN.staff_id, item["id"], "-o",
                          str(demo["root"] / name), passphrase=BEN.passphrase)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
    assert existing.read_bytes() == b"keep me" and not (demo["root"] / "y.jpg").exists()
    forced = medsnap(demo, "open", "--as", BEN.staff_id, item["id"], "-o", str(existing),
                     "--force", passphrase=BEN.passphrase)
    assert forced.returncode == 0 and existing.read_bytes().startswith(b"\x89PNG")


def test_a_refused_save_leaves_the_message_unread_and_sends_no_receipt(demo):
    def ben_sees() -> dict[str, dict]:
        listed = medsnap(demo, "inbox", "--as", BEN.staff_id, "--json",
                         passphrase=BEN.passphrase)
        return {item["id"]: item for item in json.loads(listed.stdout)}

    before = ben_sees()
    source = demo["root"] / "unread.png"
    source.write_bytes(clean_png(41, (64, 48)))
    sent = medsnap(demo, "send", "--as", ADA.staff_id, "--to", BEN.name, str(source),
                   "--declare", "direct-care", "--json", passphrase=ADA.passphrase)
    assert sent.returncode == 0, sent.stderr
    outbox_id = json.loads(sent.stdout)["id"]
    [new_id] = set(ben_sees()) - set(before)

    refused = medsnap(demo, "open", "--as", BEN.staff_id, new_id, "-o",
                      str(demo["root"] / "unread.jpg"), passphrase=BEN.passphrase)
    assert refused.returncode == 2 and "name the file 'unread.png'" in refused.stderr
    assert ben_sees()[new_id]["state"] == "verified"  # not opened by a save that never happened
    medsnap(demo, "sync", "--as", ADA.staff_id, passphrase=ADA.passphrase)
    outbox = json.loads(medsnap(demo, "outbox", "--as", ADA.staff_id, "--json").stdout)
    assert next(m for m in outbox if m["id"] == outbox_id)["state"] == "delivered"


def test_offline_answers_say_what_was_and_was_not_kept(demo):
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    source = demo["root"] / "offline.png"
    source.write_bytes(clean_png(33))
    queued_before = medsnap(demo, "outbox", "--as", ADA.staff_id, "--json",
                            passphrase=ADA.passphrase)
    stranger = medsnap(demo, "send", "--as", ADA.staff_id, "--to", "Dr Never Sent", str(source),
                       "--declare", "direct-care", "--endpoint", dead,
                       passphrase=ADA.passphrase)
    assert stranger.returncode == 8, stranger.stderr
    assert "Nothing was sent or queued: Dr Never Sent cannot be looked up" in stranger.stderr
    queued_after = medsnap(demo, "outbox", "--as", ADA.staff_id, "--json",
                           passphrase=ADA.passphrase)
    assert json.loads(queued_after.stdout) == json.loads(queued_before.stdout)
    listed = medsnap(demo, "inbox", "--as", BEN.staff_id, "--endpoint", dead,
                     passphrase=BEN.passphrase)
    assert listed.returncode == 0 and "not fetched" in listed.stdout, listed.stderr
    for said in (stranger.stderr, listed.stdout):
        assert "kept safe" not in said and "will be sent" not in said
        assert "Error" not in said  # no exception class names (ConnectError...)


def test_offline_a_colleague_sent_to_before_is_found_by_part_of_the_name(demo):
    """Offline, the kept colleagues match as the directory would: "ben" is Dr Ben Hughes."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    source = demo["root"] / "offline-ben.png"
    source.write_bytes(clean_png(34))
    online = medsnap(demo, "send", "--as", ADA.staff_id, "--to", BEN.staff_id, str(source),
                     "--declare", "direct-care", passphrase=ADA.passphrase)
    assert online.returncode == 0, online.stderr  # Ben is now a colleague kept for offline
    queued = medsnap(demo, "send", "--as", ADA.staff_id, "--to", BEN.name.split()[1].lower(),
                     str(source), "--declare", "direct-care", "--endpoint", dead, "--json",
                     passphrase=ADA.passphrase)
    assert queued.returncode == 0, queued.stderr
    letter = json.loads(queued.stdout)
    assert letter["state"] == "queued" and letter["to"] == [BEN.staff_id]
    cancelled = medsnap(demo, "outbox", "--as", ADA.staff_id, "--cancel", letter["id"],
                        passphrase=ADA.passphrase)
    assert cancelled.returncode == 0, cancelled.stderr
    nobody = medsnap(demo, "send", "--as", ADA.staff_id, "--to", "zzz", str(source),
                     "--declare", "direct-care", "--endpoint", dead, passphrase=ADA.passphrase)
    assert nobody.returncode == 8 and "cannot be looked up" in nobody.stderr


def test_a_second_demo_for_the_same_home_is_refused_or_reused_never_readdressed(demo):
    import httpx

    from medsnap.messaging.demo import start_demo

    workstation = demo["folders"]["home"] / "workstation.json"
    before = workstation.read_bytes()
    url = json.loads(before)["endpoint_url"]
    for extra in ([], ["--port", "0"]):
        second = medsnap(demo, "demo", *extra)
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"A demo is already running at {url}" in second.stderr
        assert workstation.read_bytes() == before
    # the window's "Try the demo" calls the engine: it reuses the running one
    reused = start_demo(demo["folders"]["home"])
    assert reused.already_running and reused.url == url
    reused.stop()  # not ours: the first demo keeps serving
    assert httpx.get(f"{url}/healthz", timeout=5, trust_env=False).status_code == 200
    assert workstation.read_bytes() == before


def test_two_demos_started_at_once_for_one_home_leave_one_serving(demo, tmp_path):
    import httpx

    env = {**demo["env"], "MEDSNAP_HOME": str(tmp_path / "home")}
    both = [subprocess.Popen([*MEDSNAP, "demo", "--port", "0"], env=env, text=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and all(p.poll() is None for p in both):
            time.sleep(0.2)
        [refused] = [p for p in both if p.poll() is not None]
        said = refused.stderr.read()
        url = json.loads((tmp_path / "home" / "workstation.json").read_text())["endpoint_url"]
        assert refused.returncode == 2 and f"A demo is already running at {url}" in said, said
        assert httpx.get(f"{url}/healthz", timeout=5, trust_env=False).status_code == 200
    finally:
        for process in both:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
            process.stderr.close()


def test_demo_on_a_busy_port_is_an_error_that_changes_nothing(demo, tmp_path):
    import socket

    home = tmp_path / "other-home"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        busy = subprocess.run([*MEDSNAP, "demo", "--port", str(port)],
                              env={**demo["env"], "MEDSNAP_HOME": str(home)},
                              capture_output=True, text=True, timeout=60)
    assert busy.returncode == 2 and f"Port {port}" in busy.stderr, busy.stderr
    assert not (home / "workstation.json").exists()


def test_demo_stops_on_ctrl_c(demo):
    process = demo["process"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


def test_demo_restarts_on_its_data_and_stops_on_sigterm(demo):
    if demo["process"].poll() is None:
        demo["process"].send_signal(signal.SIGINT)
        demo["process"].wait(timeout=60)
    again = subprocess.Popen([*MEDSNAP, "demo", "--port", "0"], env=demo["env"], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for line in again.stdout:
            if "Serving until Ctrl+C" in line:
                break
        source = demo["root"] / "again.png"
        source.write_bytes(clean_png(32))
        sent = medsnap(demo, "send", "--as", ADA.staff_id, "--to", BEN.staff_id, str(source),
                       "--declare", "direct-care", "--json", passphrase=ADA.passphrase)
        assert sent.returncode == 0 and json.loads(sent.stdout)["state"] == "sent", sent.stderr
        listed = medsnap(demo, "inbox", "--as", BEN.staff_id, "--json",
                         passphrase=BEN.passphrase)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)[-1]["state"] == "verified"
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=60) == 0
        again.stdout.close()
