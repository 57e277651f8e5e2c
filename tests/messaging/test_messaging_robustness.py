"""Delivery survives an endpoint outage and a sending process killed mid-upload: once, exactly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from messaging_support import PASSPHRASE, Desk, add_clinician, endpoint_copies, start_endpoint
from file_keyring import FILE_ENV, FileKeyring

from medsnap.crypto.keystore import KeyStore
from medsnap.messaging.compose import queue_letter
from medsnap.messaging.inbox import Inbox
from medsnap.messaging.outbox import Outbox
from medsnap.messaging.session import enrol, sign_in
from medsnap.messaging.sync import SyncWorker

HERE = Path(__file__).resolve().parent
MEDSNAP = [str(Path(sys.executable).parent / "medsnap")]


def _received(session) -> int:
    inbox = Inbox(session)
    try:
        report = SyncWorker(session, None, inbox).run_once()
        assert not report.offline and report.refused == 0
        return len(inbox.items())
    finally:
        inbox.close()


def test_endpoint_down_at_send_time_then_up_delivers_once(make_desk, png_bytes):
    server = start_endpoint(Path(tempfile.mkdtemp(prefix="medsnap-msg-outage-")))
    try:
        sessions = []
        for name in ("Olive Owen", "Pete Park"):
            sessions.append(make_desk().enrol(server, name))
        olive, pete = sessions
        assert olive.known_colleagues() == {}
        (olive.profile.folder / "contacts.json").write_text('{"half a wr')  # a torn file
        olive.colleague(pete.staff_id)  # looked up once while online (kept for offline use)
        assert list(olive.known_colleagues()) == [pete.staff_id]
        kept = (olive.profile.folder / "contacts.json").stat().st_mtime_ns
        olive.colleague(pete.staff_id)  # the same entry again: not rewritten (no fsync a send)
        assert (olive.profile.folder / "contacts.json").stat().st_mtime_ns == kept
        server.stop()

        outbox = Outbox(olive.profile.outbox_path)
        message_id = queue_letter(olive, outbox, png_bytes(21), [pete.staff_id])
        report = SyncWorker(olive, outbox).run_once()
        assert report.offline and report.sent == []
        item = outbox.get(message_id)
        assert item.state == "queued" and item.attempts == 1 and "cannot be reached" in item.reason
        assert outbox.due() == []  # backing off

        server.start()  # same port, same database
        assert SyncWorker(olive, outbox).run_once().sent == [message_id]
        assert SyncWorker(olive, outbox).run_once().sent == []
        assert _received(pete) == 1
        assert endpoint_copies(server, olive.staff_id) == 1
        assert SyncWorker(olive, outbox).run_once().delivered == [message_id]
    finally:
        server.stop()


def _file_desk(tmp_path: Path, name: str) -> tuple[Desk, dict]:
    home = tmp_path / name
    home.mkdir()
    keyring_file = tmp_path / f"{name}-keyring.json"
    desk = Desk(home, KeyStore(keyring_backend=FileKeyring(keyring_file)))
    env = {**os.environ, "MEDSNAP_HOME": str(home), "MEDSNAP_PASSPHRASE": PASSPHRASE,
           "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring", FILE_ENV: str(keyring_file),
           "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    return desk, env


@pytest.mark.parametrize("pause", ["MEDSNAP_TEST_PAUSE_MID_UPLOAD",
                                   "MEDSNAP_TEST_PAUSE_AFTER_UPLOAD"])
def test_sender_killed_during_upload_delivers_exactly_once(endpoint, tmp_path, png_bytes,
                                                           pause):
    people = {}
    for name in ("Quinn Quill", "Rita Reed"):
        staff_id, code = add_clinician(endpoint, name)
        desk, env = _file_desk(tmp_path, name.split()[0].lower())
        enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
              keystore=desk.keystore).close()
        people[name.split()[0].lower()] = (desk, env, staff_id)
    (quinn_desk, quinn_env, quinn_id), (rita_desk, _rita_env, rita_id) = people.values()
    picture = tmp_path / "picture.png"
    picture.write_bytes(png_bytes(22, (640, 480)))

    sender = subprocess.Popen([*MEDSNAP, "send", "--to", rita_id, str(picture),
                               "--declare", "direct-care"],
                              env={**quinn_env, pause: "60"}, stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    said = []
    for line in sender.stderr:
        said.append(line.decode(errors="replace"))
        if "MEDSNAP-TEST:" in said[-1]:
            break
    sender.send_signal(signal.SIGKILL)  # no clean-up runs
    sender.wait(timeout=10)
    sender.stderr.close()
    assert "MEDSNAP-TEST:" in said[-1], "".join(said)

    outbox = Outbox(quinn_desk.home / "profiles" / quinn_id / "outbox.db")
    [item] = outbox.items()
    assert item.state == "queued"  # never marked sent before the endpoint's answer
    stored_before = endpoint_copies(endpoint, quinn_id)
    assert stored_before == (1 if pause.endswith("AFTER_UPLOAD") else 0)

    restarted = subprocess.run([*MEDSNAP, "sync", "--json"], env=quinn_env,
                               capture_output=True, text=True, timeout=120)
    assert restarted.returncode == 0, restarted.stderr
    assert outbox.get(item.id).state == "sent"
    assert endpoint_copies(endpoint, quinn_id) == 1

    rita = sign_in(rita_desk.workstation, rita_id, PASSPHRASE, keystore=rita_desk.keystore)
    try:
        assert _received(rita) == 1
    finally:
        rita.close()
