"""`admin revoke --reason`: the reason goes into the CRL entry (RFC 5280 CRLReason), where
the app reads it (key-compromise: letters are refused even if they arrived before; left:
they still open with a caution); a revocation without one stays unspecified; an unknown
reason is refused before anything changes; the audit row says which."""

from __future__ import annotations

import json

import pytest
from endpoint_support import signing_serial
from cryptography import x509

from medsnap.crypto.letter_revocation import revocation_of
from medsnap_endpoint import admin
from medsnap_endpoint.errors import AdminError
from medsnap_endpoint.storage import open_database


def _entry(client, serial: int):
    crl = x509.load_pem_x509_crl(client.crl_pem())
    return revocation_of(crl, serial)


def test_the_reason_reaches_the_crl_and_the_audit(server, enrol):
    reader, stolen, leaver, plain = enrol(), enrol(), enrol(), enrol()
    server.admin("revoke", "--staff-id", stolen.staff_id, "--reason", "key-compromise")
    server.admin("revoke", leaver.staff_id, "--reason", "left")
    server.admin("revoke", plain.staff_id)
    compromised = _entry(reader, signing_serial(server, stolen.staff_id))
    assert compromised.key_compromised and compromised.reason == "keyCompromise"
    left = _entry(reader, signing_serial(server, leaver.staff_id))
    assert not left.key_compromised and left.reason == "cessationOfOperation"
    assert _entry(reader, signing_serial(server, plain.staff_id)).reason == "unspecified"

    exported = server.admin("export-audit").stdout
    rows = [json.loads(line) for line in exported.splitlines() if line.strip()]
    revokes = {row["subject"]: json.loads(row["detail"])["reason"] for row in rows
               if row["action"] == "revoke"}
    assert revokes[stolen.staff_id] == "key-compromise"
    assert revokes[plain.staff_id] == "unspecified"


def test_an_unknown_reason_changes_nothing(server, enrol):
    someone = enrol()
    database = open_database(server.database_url)
    try:
        with pytest.raises(AdminError, match="not a revocation reason"):
            admin.revoke(database, staff_id=someone.staff_id, reason="lost")
    finally:
        database.close()
    assert someone.inbox() == []  # still served: nothing was revoked


def test_a_leaver_found_compromised_later_is_listed_so(server, enrol):
    """A leaver's laptop stolen after they were revoked: revoking again with key-compromise
    raises the CRL's reason (the date kept), so their earlier letters are refused too."""
    reader, leaver = enrol(), enrol()
    server.admin("revoke", leaver.staff_id, "--reason", "left")
    serial = signing_serial(server, leaver.staff_id)
    first = _entry(reader, serial)
    changed = json.loads(server.admin("revoke", leaver.staff_id, "--reason",
                                      "key-compromise").stdout)
    assert changed == {"revoked": 2}  # both certificates: their reason changed
    now = _entry(reader, serial)
    assert now.key_compromised and now.revoked_at == first.revoked_at
    assert json.loads(server.admin("revoke", leaver.staff_id, "--reason",
                                   "key-compromise").stdout) == {"revoked": 0}


def test_re_enrolling_supersedes_the_old_certificates(server, enrol):
    """NU5: `admin new-code` (new workstation, lost key file) and enrolling again revoked the
    old certificates as 'unspecified', the worst case: every letter the clinician had sent,
    verified long before, became 'will not open' for its readers. Superseded keeps them."""
    reader, mover = enrol(), enrol()
    old_serial = signing_serial(server, mover.staff_id)
    database = open_database(server.database_url)
    try:
        code, _ = admin.new_code(database, mover.staff_id)
    finally:
        database.close()
    again = type(mover)(server.url)
    try:
        again.enrol(mover.staff_id, code)
    finally:
        again.close()
    entry = _entry(reader, old_serial)
    assert entry.reason == "superseded" and not entry.key_compromised
    server.admin("revoke", mover.staff_id, "--reason", "key-compromise")  # stolen after all
    assert _entry(reader, old_serial).key_compromised
