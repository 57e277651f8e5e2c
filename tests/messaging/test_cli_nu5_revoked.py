"""`medsnap send` once IT has revoked a certificate, as a new-user tester met it: the revoked
sender is told their certificate was revoked and to contact IT (not "sign in again"); a sender
to a revoked colleague is told that colleague is no longer enrolled (not "matches 0
colleagues"). A real endpoint process; commands run through medsnap.cli.main."""

from __future__ import annotations

import io
import sys

import pytest
from messaging_support import PASSPHRASE, add_clinician
from PIL import Image

from medsnap.cli import main
from medsnap_endpoint import admin
from medsnap_endpoint.storage import open_database


@pytest.fixture
def clinic(endpoint, memory_keyring, monkeypatch, capsys, tmp_path):
    """run(person, *args) -> (exit code, stdout, stderr); each person has a home of their own."""
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    monkeypatch.setenv("MEDSNAP_PASSPHRASE", PASSPHRASE)

    def run(staff_id: str, *args: str):
        monkeypatch.setenv("MEDSNAP_HOME", str(tmp_path / staff_id))
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        as_who = [] if args[0] == "enrol" else ["--as", staff_id]
        returned = main([args[0], *as_who, *args[1:]])
        out, err = capsys.readouterr()
        return returned, out, err

    def enrol(name: str) -> str:
        staff_id, code = add_clinician(endpoint, name)
        returned, _, err = run(staff_id, "enrol", code, "--staff-id", staff_id)
        assert returned == 0, err
        return staff_id

    run.enrol = enrol
    return run


def revoke(endpoint, staff_id: str) -> None:
    database = open_database(endpoint.database_url)
    try:
        admin.revoke(database, staff_id=staff_id)
    finally:
        database.close()


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "wound.png"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(path)
    return str(path)


def send(clinic, sender: str, to: str, picture: str):
    return clinic(sender, "send", "--to", to, picture, "--declare", "direct-care")


def test_a_revoked_sender_is_told_the_certificate_was_revoked(endpoint, clinic, picture):
    sender, colleague = clinic.enrol("Dr Tess Ward"), clinic.enrol("Dr Uma Rao")
    revoke(endpoint, sender)
    returned, out, err = send(clinic, sender, colleague, picture)
    assert returned == 9, out + err
    assert "revoked" in err and "IT" in err
    assert "Sign in again on this workstation" not in err and "Traceback" not in err
    returned, out, err = clinic(sender, "inbox")
    assert returned == 9 and "revoked" in err and "contact IT" in err, out + err
    returned, out, err = clinic(sender, "sync")
    assert returned == 9 and "revoked" in err and "contact IT" in err, out + err


def test_sending_to_a_revoked_colleague_says_they_are_no_longer_enrolled(
        endpoint, clinic, picture):
    sender, colleague = clinic.enrol("Dr Vic Hart"), clinic.enrol("Dr Wes Moor")
    returned, _, err = send(clinic, sender, colleague, picture)  # kept in the directory here
    assert returned == 0, err
    revoke(endpoint, colleague)
    for name in (colleague, "Dr Wes Moor"):
        returned, out, err = send(clinic, sender, name, picture)
        assert returned == 2, out + err
        assert "matches 0 colleagues" not in err and "Traceback" not in err
        assert f"Dr Wes Moor ({colleague}) is no longer enrolled" in err
        assert "IT revoked their certificate on" in err and "Nothing was sent" in err
