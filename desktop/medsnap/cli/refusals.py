"""Why the endpoint said no, in words that tell a clinician what to do, from what this
workstation can check itself: the hospital's CRL (public), the sender's own certificates and
the colleagues kept from earlier sends (``contacts.json``).

The endpoint refuses a revoked key with "sign in again" (it cannot tell a stale workstation
from a revoked person) and a revoked colleague's look-up finds nobody; where the CRL shows a
revocation, the sender is told that instead, and that only IT can undo it.
"""

from __future__ import annotations

import datetime as dt

from medsnap.errors import MedSnapError


def colleague_or_why_not(session, name_or_id: str):
    """``session.colleague(name_or_id)``; a colleague found nowhere but kept from an earlier
    send is said to be no longer enrolled (revoked, when the CRL says so), and one whose keys
    changed since then is cautioned about on standard error."""
    from medsnap.messaging.errors import RecipientNotFound

    before = session.known_colleagues()
    try:
        found = session.colleague(name_or_id)
    except RecipientNotFound as error:
        entry = _kept_entry(session, name_or_id)
        if entry is None:
            raise
        raise RecipientNotFound(_no_longer_enrolled(session, entry)) from error
    _warn_if_new_keys(before, session.known_colleagues())
    return found


def _warn_if_new_keys(before: dict[str, dict], after: dict[str, dict]) -> None:
    """The window warns and asks when a colleague's keys changed since the last send from this
    computer; a command cannot ask, so it says so on standard error (NU5: it said nothing)."""
    import sys

    from medsnap.messaging.colleague_keys import safety_number_of, same_keys

    for staff_id, entry in after.items():
        old = before.get(staff_id)
        if old is None or same_keys(old, entry):
            continue
        number = safety_number_of(entry)
        print(f"Caution: {entry['display_name']} ({staff_id}) has new keys since you last sent "
              "to them from this computer (a new workstation, or someone pretending to be "
              f"them). Their safety number is now {number}: compare it with them (Messages ▸ "
              "My safety number… in their window).", file=sys.stderr)


def explain_refused_sender(session, error: MedSnapError) -> MedSnapError:
    """A 401 for a sender whose own certificate the CRL lists: say it was revoked."""
    from medsnap.messaging.errors import EndpointRefusedRequest

    if not isinstance(error, EndpointRefusedRequest) or error.status != 401:
        return error
    try:
        mine = session.clinician.certificates
    except MedSnapError:
        return error
    when = _revoked_on(session, (mine.signing, mine.encryption))
    if when is None:
        return error
    return EndpointRefusedRequest(
        f"The endpoint no longer accepts requests from you ({session.staff_id}): IT revoked "
        f"your MedSnap certificate on {when}. Nothing was sent or fetched; what is in your "
        "outbox and inbox stays there. Signing in again will not help: contact IT (they can "
        "enrol you again with a new one-time code).", error.code, error.status)


def _kept_entry(session, name_or_id: str) -> dict | None:
    contacts = session.known_colleagues()
    wanted = name_or_id.strip().lower()
    return contacts.get(name_or_id) or next(
        (entry for entry in contacts.values()
         if entry.get("display_name", "").lower() == wanted
         or entry.get("staff_id", "").lower() == wanted), None)


def _no_longer_enrolled(session, entry: dict) -> str:
    who = f"{entry.get('display_name')} ({entry.get('staff_id')})"
    try:
        from medsnap.crypto.identity import ClinicianCertificates

        theirs = ClinicianCertificates.from_pem(
            (entry["signing_certificate"] + entry["encryption_certificate"]).encode("ascii"))
        when = _revoked_on(session, (theirs.signing, theirs.encryption))
    except (KeyError, ValueError, MedSnapError):
        when = None
    why = (f"IT revoked their certificate on {when}" if when else
           "the directory no longer lists them (their certificate was revoked or their "
           "account disabled)")
    return (f"{who} is no longer enrolled in MedSnap: {why}, so nothing can be sealed to "
            "them. Nothing was sent. Choose another colleague; if they should still be "
            "reachable, ask IT.")


def _revoked_on(session, certificates) -> str | None:
    """The date the hospital's CRL (fetched now, else the kept copy) revoked any of these."""
    try:
        crl = session.crl(refresh=True)
    except MedSnapError:  # not even the CRL could be fetched: the endpoint's words stand
        return None
    if crl is None:
        return None
    for certificate in certificates:
        revoked = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
        if revoked is not None:
            when: dt.datetime = revoked.revocation_date_utc
            return when.strftime("%Y-%m-%d %H:%M UTC")
    return None
