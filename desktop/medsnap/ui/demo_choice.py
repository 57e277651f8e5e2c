"""Whether the window may offer, start or start again the demo: only with no endpoint chosen
on purpose. The demo is the default with nothing configured (DESIGN.md); an endpoint named by
MEDSNAP_ENDPOINT or IT's policy wins over it in the window as on the command line, so a
clinician's pictures never go to a demo service on this PC when IT set up another."""

from __future__ import annotations

from pathlib import Path

from medsnap.messaging.profile import ENDPOINT_ENV, configured_endpoint

NO_DEMO_HERE = ("This computer is set to use the MedSnap endpoint at {url} ({who}), so the "
                "demo was not started. Nothing was changed. Sign in, or enrol with the code "
                "from IT.")
DEMO_COLLEAGUE_NOT_HERE = (
    "{staff_id} is one of the demo's colleagues, who exist only in the MedSnap demo, but this "
    "computer is now set to use the endpoint at {url} ({who}). The demo was not started and "
    "nothing was changed. Sign in with your own staff id, or enrol with the code from IT.")
DEMO_AGAIN = " To try the demo again, start MedSnap without {variable}."


def demo_refused(home: Path, staff_id: str | None = None) -> str:
    """Why the demo may not start ("" when it may). With ``staff_id``: "" unless it is a
    demo colleague of a workstation in demo mode (signing in would start the demo again)."""
    url, who = configured_endpoint()
    if not url:
        return ""
    if staff_id is None:
        return NO_DEMO_HERE.format(url=url, who=who)
    from medsnap.messaging.demo import is_demo_identity  # the endpoint's code: not at start

    if not is_demo_identity(home, staff_id):
        return ""
    again = DEMO_AGAIN.format(variable=ENDPOINT_ENV) if who == ENDPOINT_ENV else ""
    return DEMO_COLLEAGUE_NOT_HERE.format(staff_id=staff_id, url=url, who=who) + again
