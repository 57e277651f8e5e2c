"""`medsnap-endpoint admin` run as a real process against the server's database."""

from __future__ import annotations

import json
import subprocess
import uuid

import httpx
import pytest
from cryptography import x509
from endpoint_harness import ENDPOINT_COMMAND, EndpointServer, with_hospital_ca

from medsnap.crypto.certificates import CertificateRevoked, validate_clinician
from medsnap_endpoint.client import EndpointClient


def _admin(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ENDPOINT_COMMAND, "admin", "--database", url, *args],
                          capture_output=True, text=True, timeout=60)


def test_root_from_openssl_is_imported_and_issues_valid_certificates(tmp_path,
                                                                      make_database_url):
    key, cert = tmp_path / "root.key", tmp_path / "root.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "30", "-subj", "/CN=OpenSSL Hospital Root",
                    "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                   check=True, capture_output=True)
    url = make_database_url("sqlite")
    imported = _admin(url, "import-root", "--cert", str(cert), "--key", str(key),
                      "--insecure-unencrypted-key")
    assert imported.returncode == 0, imported.stderr
    again = _admin(url, "init-ca", "--name", "Second Root", "--insecure-unencrypted-key")
    assert again.returncode == 3 and "already has a certificate authority" in again.stderr
    assert "Traceback" not in again.stderr

    staff_id = f"O{uuid.uuid4().hex[:8]}"
    added = json.loads(_admin(url, "add-clinician", "--staff-id", staff_id, "--email",
                              f"{staff_id}@hospital.example", "--name", "Olive Openssl",
                              "--role", "Pharmacist", "--department", "Pharmacy").stdout)
    server = EndpointServer(url).start()
    try:
        with EndpointClient(server.url) as device:
            issued = device.enrol(staff_id, added["enrolment_code"])
            root = x509.load_pem_x509_certificate(cert.read_bytes())
            crl = x509.load_pem_x509_crl(device.crl_pem())
            signing = x509.load_pem_x509_certificate(issued["signing_certificate"].encode())
            assert validate_clinician(signing, root=root, crl=crl, usage="signing").role == \
                "Pharmacist"
            listed = json.loads(_admin(url, "list").stdout)
            assert [(c["staff_id"], c["enrolled"]) for c in listed] == [(staff_id, True)]

            revoked = _admin(url, "revoke", "--staff-id", staff_id)
            assert json.loads(revoked.stdout) == {"revoked": 2}
            crl = x509.load_pem_x509_crl(device.crl_pem())
            assert crl.get_revoked_certificate_by_serial_number(signing.serial_number)
            with pytest.raises(CertificateRevoked):
                validate_clinician(signing, root=root, crl=crl, usage="signing")
            assert httpx.get(f"{server.url}/v1/inbox").status_code == 401
    finally:
        server.stop()
    assert json.loads(_admin(url, "verify-audit").stdout)["intact"] is True


def test_admin_errors_are_messages_not_tracebacks(make_database_url):
    url = with_hospital_ca(make_database_url("sqlite"), "Errors Test Root")
    for args in (["disable", "NOBODY"], ["add-clinician", "--staff-id", "bad id!", "--email",
                                         "x@y", "--name", "X"]):
        result = _admin(url, *args)
        assert result.returncode == 3 and result.stderr.startswith("medsnap-endpoint: ")
        assert "Traceback" not in result.stderr
    bad = _admin("mysql://nowhere", "list")
    assert bad.returncode == 3 and "not understood" in bad.stderr
    unreachable = _admin("postgresql://nobody@/nodb?host=/nonexistent&port=1", "list")
    assert unreachable.returncode == 4 and "could not be opened" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def test_serving_without_a_ca_explains_what_to_do(make_database_url):
    url = make_database_url("sqlite")
    server = EndpointServer(url, ["--create-database"]).start()
    try:
        response = httpx.get(f"{server.url}/v1/ca/root")
        assert response.status_code == 503 and "init-ca" in response.json()["message"]
    finally:
        server.stop()
