"""``--show-config``'s root_fingerprint and endpoint_url rows: the root this workstation actually
trusts, and the address its commands use, when IT set neither.

Without IT's pin (policy ``root_fingerprint``) the setting itself is empty, yet the
workstation trusts a root all the same: the one its first enrolment or sign-in was shown
(``workstation.json``), or the demo's own throwaway root for the demo's address only (see
``messaging.profile.Workstation.pinned_root``). IT must see which, and why.
"""

from __future__ import annotations

from medsnap.errors import MedSnapError

HOSPITAL_PIN = "pinned on this computer at its first enrolment or sign-in (not by IT)"
NOTHING_PINNED = ("default: none pinned yet (the first enrolment here trusts the root the "
                  "endpoint shows)")


def trusted_root(policy_root: str) -> tuple[str, str, list[str]]:
    """(fingerprint, where it comes from, notes) of the root checked for the endpoint in use
    when IT pinned none; ("", "", notes) when the policy's pin is the one in force."""
    from medsnap.messaging.profile import (DEMO_URL_KEY, Workstation, configured_endpoint,
                                           medsnap_home)

    desk = Workstation(medsnap_home())
    try:
        facts = desk.read()
    except MedSnapError as error:
        return "", "", [f"note: the pinned roots are not shown: {error.message}"]
    hospital = str(facts.get("root_fingerprint") or "")
    url = configured_endpoint()[0] or str(facts.get("endpoint_url") or "")
    if policy_root:
        if hospital and hospital != policy_root:
            return "", "", [f"note: this computer pinned root {hospital} at its first "
                            "enrolment or sign-in; IT's policy pin above is used instead"]
        return "", "", []
    demo_url = str(facts.get(DEMO_URL_KEY) or "")
    demo_root = desk.pinned_root(demo_url) if demo_url else ""
    notes = []
    if url and demo_url and desk.pin_kind(url) == "demo":
        if hospital:
            notes.append(f"note: any endpoint other than the demo's must show the hospital "
                         f"root {hospital}, {HOSPITAL_PIN}")
        return demo_root, f"demo: the demo's own root, for {demo_url} only", notes
    if demo_root:
        notes.append(f"note: the demo's own root {demo_root} is trusted for the demo at "
                     f"{demo_url} only")
    return (hospital, HOSPITAL_PIN, notes) if hospital else ("", NOTHING_PINNED, notes)


def endpoint_in_use() -> tuple[str, str]:
    """(address, where it comes from) the commands use when neither MEDSNAP_ENDPOINT nor the
    policy sets one: the address kept at this computer's last enrolment, sign-in or demo
    (``workstation.json``); ("", "") when there is none."""
    from medsnap.messaging.profile import DEMO_URL_KEY, Workstation, medsnap_home

    try:
        facts = Workstation(medsnap_home()).read()
    except MedSnapError:
        return "", ""
    url = str(facts.get("endpoint_url") or "")
    if not url:
        return "", ""
    demo = str(facts.get(DEMO_URL_KEY) or "").rstrip("/") == url.rstrip("/")
    return url, ("demo: the address 'medsnap demo' started" if demo else
                 "this computer: the address of its last enrolment or sign-in")
