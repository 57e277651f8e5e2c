"""An endpoint chosen on purpose wins over the demo in the window (tester report B): with
MEDSNAP_ENDPOINT set, the window offered "Try the demo", started its embedded demo on another
port (the demo's usual 8767 was the tester's endpoint) and wrote that port into
workstation.json. On a workstation that had tried the demo, enrolling with IT's endpoint was
refused as "a root certificate that this computer does not trust" (the demo's throwaway
root was its pin), and a demo colleague's sign-in started the demo again.
Real window, real endpoint process, the real embedded demo."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from send_receive_support import PASSPHRASE, add_clinician, new_endpoint
from ui_support import memory_keystore

from medsnap.messaging.demo import COLLEAGUES, start_demo
from medsnap.ui.messaging_window import attach_messaging


@pytest.fixture(scope="module")
def endpoint():
    server = new_endpoint()
    yield server
    server.stop()


def _workstation(home: Path) -> dict:
    path = home / "workstation.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _root_fingerprint(endpoint) -> str:
    from medsnap_endpoint.client import EndpointClient

    with EndpointClient(endpoint.url, timeout=10) as client:
        root = x509.load_pem_x509_certificate(client.root_pem())
    return hashlib.sha256(root.public_bytes(Encoding.DER)).hexdigest()


def _refusal(qtbot, ui, ask) -> str:
    with qtbot.waitSignal(ui.binding.auth_failed, timeout=20000) as said:
        ask()
    return said.args[0]


def _enrol(qtbot, ui, endpoint) -> str:
    staff_id, code = add_clinician(endpoint, "Ivo Itdesk")
    with qtbot.waitSignal(ui.binding.signed_in, timeout=60000):
        ui.binding.enrol(staff_id, code, PASSPHRASE)
    return staff_id


def test_the_environments_endpoint_is_used_and_no_demo_is_offered(qtbot, make_window,
                                                                  endpoint, monkeypatch):
    home = Path(tempfile.mkdtemp(prefix="medsnap-env-endpoint-"))
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    ui = attach_messaging(make_window(1280, 800), home=home, keystore=memory_keystore())
    try:
        assert ui.first_run.isVisible() and not ui.first_run.demo_button.isVisible()
        said = _refusal(qtbot, ui, ui.binding.start_demo)  # (the card is hidden; if asked)
        assert endpoint.url in said and "MEDSNAP_ENDPOINT" in said and "not started" in said
        assert ui.binding.demo is None and "endpoint_url" not in _workstation(home)
        assert not (home / "demo" / "endpoint.db").exists()

        _enrol(qtbot, ui, endpoint)
        assert ui.binding.session.transport.url == endpoint.url
        assert _workstation(home)["root_fingerprint"] == _root_fingerprint(endpoint)
    finally:
        ui.shutdown()


def test_a_workstation_that_tried_the_demo_takes_the_configured_endpoint(qtbot, make_window,
                                                                         endpoint, monkeypatch):
    home = Path(tempfile.mkdtemp(prefix="medsnap-demo-then-it-"))
    keystore = memory_keystore()
    monkeypatch.delenv("MEDSNAP_ENDPOINT", raising=False)
    demo = start_demo(home, port=0, keystore=keystore)  # a newcomer tried the demo first
    demo.stop()
    tried = _workstation(home)
    assert tried["demo"] and tried["endpoint_url"] == demo.url

    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)  # then IT set the hospital's
    ui = attach_messaging(make_window(1280, 800), home=home, keystore=keystore)
    try:
        assert ui.first_run.isVisible() and not ui.first_run.demo_button.isVisible()
        ada = COLLEAGUES[0]
        said = _refusal(qtbot, ui, lambda: ui.binding.sign_in(ada.staff_id, ada.passphrase))
        assert ada.staff_id in said and "demo" in said and endpoint.url in said
        assert "without MEDSNAP_ENDPOINT" in said
        assert _workstation(home) == tried  # no demo started, nothing rewritten
        assert ui.binding.demo is None

        staff_id = _enrol(qtbot, ui, endpoint)  # not "a root this computer does not trust"
        assert ui.binding.session.transport.url == endpoint.url
        now = _workstation(home)
        assert now["endpoint_url"] == endpoint.url and not now["demo"]
        assert now["root_fingerprint"] == _root_fingerprint(endpoint) \
            != tried["demo_root_fingerprint"]
        assert now["demo_root_fingerprint"] == tried["demo_root_fingerprint"]  # kept apart
        assert now["current"] == staff_id
    finally:
        ui.shutdown()
