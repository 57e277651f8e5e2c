"""`admin list` shows each clinician's certificates: the serial `revoke --serial` takes (in
decimal and as openssl prints it), what each is for, and whether and why it was revoked."""

from __future__ import annotations

import json

from cryptography import x509

from medsnap_endpoint.client import EndpointClient


def _certificates(server, staff_id: str) -> list[dict]:
    [clinician] = [c for c in json.loads(server.admin("list").stdout)
                   if c["staff_id"] == staff_id]
    return clinician["certificates"]


def test_list_names_the_serials_to_revoke_and_what_was_revoked(start_server):
    server = start_server("sqlite")
    added = json.loads(server.admin("add-clinician", "C123", "--email", "a@trust.nhs.uk",
                                    "--name", "Dr A Doctor").stdout)
    with EndpointClient(server.url) as device:
        issued = x509.load_pem_x509_certificate(
            device.enrol("C123", added["enrolment_code"])["signing_certificate"].encode())
    listed = {c["usage"]: c for c in _certificates(server, "C123")}
    assert set(listed) == {"signing", "encryption"}
    signing = listed["signing"]
    assert int(signing["serial"]) == issued.serial_number
    assert signing["serial_hex"] == hex(issued.serial_number)
    assert signing["revoked_at"] is None and signing["not_after"].startswith("20")

    server.admin("revoke", "--serial", signing["serial_hex"], "--reason", "key-compromise")
    after = {c["usage"]: c for c in _certificates(server, "C123")}
    assert after["signing"]["revoked_at"] is not None
    assert after["signing"]["revocation_reason"] == "key-compromise"
    assert after["encryption"]["revoked_at"] is None
