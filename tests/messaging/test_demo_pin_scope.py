"""A demo's throwaway root pins the demo only (tester report B): on a workstation that tried
the demo, enrolling with the endpoint IT configured (MEDSNAP_ENDPOINT, as on the command line)
was refused as an untrusted root. The pin still guards the demo's own address, and a hospital
pin is never dropped nor replaced. A real endpoint process."""

from __future__ import annotations

import pytest
from messaging_support import PASSPHRASE, add_clinician

from medsnap.messaging.errors import ProfileError
from medsnap.messaging.session import enrol

DEMO_ROOT = "ab" * 32  # not the test endpoint's root
DEMO_URL = "http://127.0.0.1:57711"


def test_the_configured_endpoint_replaces_the_demo_and_keeps_its_pin_apart(endpoint, make_desk,
                                                                           monkeypatch):
    desk = make_desk()
    desk.workstation.pin_demo(DEMO_URL, DEMO_ROOT)
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    staff_id, code = add_clinician(endpoint, "Petra Pinned")
    enrol(desk.workstation, staff_id, code, PASSPHRASE, keystore=desk.keystore).close()
    facts = desk.workstation.read()
    assert facts["endpoint_url"] == endpoint.url and facts["demo"] is False
    assert facts["root_fingerprint"] not in ("", DEMO_ROOT)
    assert facts["demo_root_fingerprint"] == DEMO_ROOT  # the demo's, for the demo's address


def test_the_demo_pin_still_guards_the_demos_own_address(endpoint, make_desk, monkeypatch):
    desk = make_desk()
    # the demo's address now answered by another CA: refused, as before
    desk.workstation.pin_demo(endpoint.url, DEMO_ROOT)
    monkeypatch.delenv("MEDSNAP_ENDPOINT", raising=False)
    staff_id, code = add_clinician(endpoint, "Dora Demo")
    with pytest.raises(ProfileError, match="does not trust"):
        enrol(desk.workstation, staff_id, code, PASSPHRASE, keystore=desk.keystore)
    assert desk.workstation.read()["demo_root_fingerprint"] == DEMO_ROOT


def test_a_hospital_pin_is_not_dropped_for_another_endpoint(endpoint, make_desk, monkeypatch):
    desk = make_desk()
    desk.workstation.update(endpoint_url="https://medsnap.trust.example",
                            root_fingerprint=DEMO_ROOT)
    monkeypatch.setenv("MEDSNAP_ENDPOINT", endpoint.url)
    staff_id, code = add_clinician(endpoint, "Hugo Hospital")
    with pytest.raises(ProfileError, match="does not trust"):
        enrol(desk.workstation, staff_id, code, PASSPHRASE, keystore=desk.keystore)
    assert desk.workstation.read()["root_fingerprint"] == DEMO_ROOT


def test_a_file_from_before_loses_only_the_demos_own_root(make_desk):
    """Before the two were apart the demo wrote its root as ``root_fingerprint``: dropped when
    the demo starts again with that very root, never a root that is not the demo's."""
    legacy = make_desk().workstation
    legacy.update(endpoint_url=DEMO_URL, root_fingerprint=DEMO_ROOT, demo=True)
    legacy.pin_demo(DEMO_URL, DEMO_ROOT)
    assert legacy.pinned_root("https://medsnap.trust.example") == ""
    assert legacy.pinned_root(DEMO_URL) == DEMO_ROOT
    hospital = make_desk().workstation
    hospital.update(endpoint_url=DEMO_URL, root_fingerprint="cd" * 32, demo=True)
    hospital.pin_demo(DEMO_URL, DEMO_ROOT)
    assert hospital.pinned_root("https://medsnap.trust.example") == "cd" * 32


def test_its_policy_pin_decides_and_the_workstations_is_kept(endpoint, make_desk, tmp_path,
                                                             monkeypatch):
    """IT's policy root_fingerprint lets its endpoint through although this PC pinned another
    root on first use earlier; enrolling neither fails afterwards nor rewrites that pin."""
    from medsnap.messaging.profile import root_fingerprint
    from medsnap_endpoint.client import EndpointClient

    with EndpointClient(endpoint.url, timeout=10) as client:
        served = root_fingerprint(client.root_pem())
    policy = tmp_path / "policy.toml"
    policy.write_text(f'root_fingerprint = "{served}"\n', encoding="utf-8")
    monkeypatch.setenv("MEDSNAP_POLICY_FILE", str(policy))
    desk = make_desk()
    desk.workstation.update(root_fingerprint="cd" * 32)
    staff_id, code = add_clinician(endpoint, "Ivy Itpinned")
    enrol(desk.workstation, staff_id, code, PASSPHRASE, endpoint_url=endpoint.url,
          keystore=desk.keystore).close()
    assert desk.workstation.read()["root_fingerprint"] == "cd" * 32
