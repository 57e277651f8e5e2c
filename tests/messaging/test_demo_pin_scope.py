"""A demo's throwaway root pins the demo only (tester report B): on a workstation that tried
the demo, enrolling with the endpoint IT configured (MEDSNAP_ENDPOINT, as on the command line)
was refused as an untrusted root. The pin still guards the demo's own address, and any
other workstation's pin is untouched. A real endpoint process."""

from __future__ import annotations

import pytest
from messaging_support import PASSPHRASE, add_clinician

from medsnap.messaging.errors import ProfileError
from medsnap.messaging.session import enrol

DEMO_ROOT = "ab" * 32  # not the test endpoint's root


def test_the_configured_endpoint_replaces_the_demo_and_its_pin(endpoint, make_desk,
                                                               monkeypatch):
    desk = make_desk()
    desk.workstation.update(endpoint_url="http://127.0.0.1:57711", root_fingerprint=DEMO_ROOT,
                            demo=True)
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    staff_id, code = add_clinician(endpoint, "Petra Pinned")
    enrol(desk.workstation, staff_id, code, PASSPHRASE, keystore=desk.keystore).close()
    facts = desk.workstation.read()
    assert facts["endpoint_url"] == endpoint.url and facts["demo"] is False
    assert facts["root_fingerprint"] not in ("", DEMO_ROOT)


def test_the_demo_pin_still_guards_the_demos_own_address(endpoint, make_desk, monkeypatch):
    desk = make_desk()
    # the demo's address now answered by another CA: refused, as before
    desk.workstation.update(endpoint_url=endpoint.url, root_fingerprint=DEMO_ROOT, demo=True)
    monkeypatch.delenv("MEDSNAP_ENDPOINT", raising=False)
    staff_id, code = add_clinician(endpoint, "Dora Demo")
    with pytest.raises(ProfileError, match="does not trust"):
        enrol(desk.workstation, staff_id, code, PASSPHRASE, keystore=desk.keystore)
    assert desk.workstation.read()["root_fingerprint"] == DEMO_ROOT


def test_a_hospital_pin_is_not_dropped_for_another_endpoint(endpoint, make_desk, monkeypatch):
    desk = make_desk()
    desk.workstation.update(endpoint_url="https://medsnap.trust.example",
                            root_fingerprint=DEMO_ROOT)
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    staff_id, code = add_clinician(endpoint, "Hugo Hospital")
    with pytest.raises(ProfileError, match="does not trust"):
        enrol(desk.workstation, staff_id, code, PASSPHRASE, keystore=desk.keystore)
    assert desk.workstation.read()["root_fingerprint"] == DEMO_ROOT
