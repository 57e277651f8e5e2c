"""The hospital root pin survives the demo (review): the demo used to overwrite the pin with its
own root, after which any endpoint but the demo's was trusted on first use - a spoofed address
on a ward PC would have been pinned. And a pin, or the switch away from the demo, used to be
written before the one-time code was checked, so a mistyped or spoofed address stuck although
enrolment failed. Real endpoint processes (the hospital's and a rogue one with its own CA) and
the real embedded demo."""

from __future__ import annotations

import pytest
from messaging_support import PASSPHRASE, add_clinician, start_endpoint

from medsnap.errors import MedSnapError
from medsnap.messaging.demo import start_demo
from medsnap.messaging.errors import ProfileError
from medsnap.messaging.session import enrol, sign_in


@pytest.fixture(scope="module")
def rogue(tmp_path_factory):
    """An endpoint with a CA of its own, as a spoofed or mistyped address would answer."""
    server = start_endpoint(tmp_path_factory.mktemp("rogue"))
    yield server
    server.stop()


def _enrol(desk, server, name: str, code: str | None = None):
    staff_id, issued = add_clinician(server, name)
    return staff_id, enrol(desk.workstation, staff_id, code or issued, PASSPHRASE,
                           endpoint_url=server.url, keystore=desk.keystore)


def test_the_hospital_pin_outlives_the_demo(endpoint, rogue, make_desk, monkeypatch):
    monkeypatch.delenv("MEDSNAP_ENDPOINT", raising=False)
    desk = make_desk()
    demo = start_demo(desk.home, port=0, reuse=False)  # a newcomer tries the demo first
    try:
        before = desk.workstation.read()
        with pytest.raises(MedSnapError):  # a mistyped code: nothing pinned, nothing switched
            _enrol(desk, endpoint, "Wendy Wrongcode", code="AAAA-BBBB-CCCC-DDDD")
        assert desk.workstation.read() == before

        staff_id, session = _enrol(desk, endpoint, "Hana Hospital")  # first pin: trusted
        session.close()
        hospital = desk.workstation.read()
        assert hospital["endpoint_url"] == endpoint.url and not hospital["demo"]
    finally:
        demo.stop()

    demo = start_demo(desk.home, port=0, reuse=False)  # the demo again on the same PC
    try:
        after_demo = desk.workstation.read()
        assert after_demo["demo"] and after_demo["endpoint_url"] == demo.url
        assert after_demo["root_fingerprint"] == hospital["root_fingerprint"]

        with pytest.raises(ProfileError, match="does not trust"):  # before the code is spent
            _enrol(desk, rogue, "Rory Rogue")
        rogue_id, _ = add_clinician(rogue, "Sid Spoofed")
        with pytest.raises(ProfileError, match="does not trust"):
            sign_in(desk.workstation, rogue_id, PASSPHRASE, endpoint_url=rogue.url,
                    keystore=desk.keystore)
        with pytest.raises(MedSnapError):  # the hospital, a wrong code: left as it was
            _enrol(desk, endpoint, "Wendy Wrongcode", code="AAAA-BBBB-CCCC-DDDD")
        assert desk.workstation.read() == after_demo

        _enrol(desk, endpoint, "Hugo Hospital")[1].close()  # the hospital's own root: fine
        assert desk.workstation.read()["endpoint_url"] == endpoint.url
    finally:
        demo.stop()
