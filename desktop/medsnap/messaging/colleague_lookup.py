"""Which colleague a name or staff id means: asked of the endpoint's directory when online,
matched the same way against the colleagues kept on this computer when offline.

``Session.colleague`` uses both; a name matching several colleagues is refused, never guessed.
"""

from __future__ import annotations

from medsnap.messaging.errors import EndpointRefusedRequest, RecipientNotFound
from medsnap.messaging.transport import Transport


def look_up(transport: Transport, name_or_id: str) -> dict:
    """The directory entry ``name_or_id`` names: a staff id, a name, else a department."""
    client = transport.client
    try:
        return transport.call(client.lookup, name_or_id)
    except EndpointRefusedRequest as error:
        if error.status not in (400, 404):
            raise
    found = transport.call(client.search, name_or_id)
    if not found:  # a department, as the window's To box finds (NU5: "--to Acute")
        found = transport.call(client.search, department=name_or_id)
    found = whole_name_first(name_or_id, found)
    if len(found) != 1:
        names = listed(found)
        raise RecipientNotFound(
            f"'{name_or_id}' matches {len(found)} colleagues{': ' + names if names else ''}."
            " Nothing was sent. Give a staff id or a more exact name.")
    return found[0]


def kept_match(contacts: dict[str, dict], name_or_id: str) -> dict | None:
    """The one kept colleague ``name_or_id`` names, offline, as the directory would match it
    online: the staff id, the whole name, else a part of one name ("ben" for Dr Ben Hughes)."""
    if name_or_id in contacts:
        return contacts[name_or_id]
    names = whole_name_first(name_or_id, [c for c in contacts.values()
                                          if name_or_id.lower() in c["display_name"].lower()])
    if len(names) > 1:
        raise RecipientNotFound(
            f"'{name_or_id}' matches {len(names)} colleagues sent to from this computer: "
            f"{listed(names)}. Nothing was sent or queued. Give a staff id or a more exact "
            "name.")
    return names[0] if names else None


def whole_name_first(name_or_id: str, found: list[dict]) -> list[dict]:
    """Of the colleagues ``name_or_id`` matched, those whose whole name it is, if any."""
    whole = [c for c in found if c["display_name"].lower() == name_or_id.lower()]
    return whole or found


def listed(found: list[dict]) -> str:
    return ", ".join(f"{c['display_name']} ({c['staff_id']})" for c in found[:5])
