"""The steps ``enrol`` and ``sign_in`` take with the endpoint before a session exists: the
device keys its requests are signed with, the hospital root checked against its pin, and the
wrapped key file fetched for a workstation new to the clinician."""

from __future__ import annotations

from medsnap.crypto.clinician_keys import ClinicianKeys
from medsnap.messaging.errors import EndpointRefusedRequest, NotSignedIn, ProfileError
from medsnap.messaging.profile import Workstation, _policy, root_fingerprint
from medsnap.messaging.transport import Transport
from medsnap_endpoint.client import DeviceKeys


def device_keys(keys: ClinicianKeys) -> DeviceKeys:
    return DeviceKeys(encryption=keys.encryption_key, signing=keys.signing_key)


def check_root(workstation: Workstation, root_pem: bytes, url: str) -> str:
    """The root's fingerprint, once it matches the pin for ``url`` (policy, else the
    workstation's: see ``Workstation.pinned_root``). Nothing is written here: the caller pins
    it with ``Workstation.pin_root`` only after the enrolment or sign-in succeeded."""
    pinned = _policy("root_fingerprint") or workstation.pinned_root(url)
    found = root_fingerprint(root_pem)
    if pinned and pinned != found:
        raise ProfileError("The endpoint presented a hospital root certificate that this "
                           f"computer does not trust (fingerprint {found[:16]}..., expected "
                           f"{pinned[:16]}...). Nothing was changed. Tell IT at once.")
    return found


def fetch_key_file(transport: Transport, staff_id: str, url: str) -> bytes:
    try:
        return transport.call(transport.client.fetch_key_file, staff_id)
    except EndpointRefusedRequest as error:
        if error.status != 404:
            raise
    raise NotSignedIn(f"{staff_id} has not signed in on this workstation before, and the "
                      f"endpoint at {url} holds no keys for that staff id. Nothing was "
                      "changed. Check the staff id; someone new enrols first with the code "
                      "from IT ('medsnap enrol CODE --staff-id ID').")
