"""What a disabled clinician's app is told: that only IT can undo it, on the hot routes and the
Starlette ones alike, not "sign in again", which cannot help (the app shows the endpoint's
words as they are). A stale or revoked key still gets the sign-in advice."""

from __future__ import annotations

import pytest

from medsnap_endpoint.client import EndpointRefused


def _refusal(attempt, *args) -> str:
    with pytest.raises(EndpointRefused) as refused:
        attempt(*args)
    assert refused.value.status == 401
    return refused.value.message


def test_a_disabled_clinician_is_told_only_it_can_enable_them(server, enrol):
    erin = enrol()
    server.admin("disable", erin.staff_id)
    for message in (_refusal(erin.inbox), _refusal(erin.search, "anyone")):
        assert "account is disabled" in message
        assert "only IT can enable the account again" in message
        assert "Sign in again on this workstation" not in message
    server.admin("enable", erin.staff_id)
    assert erin.inbox() == []


def test_a_revoked_key_still_hears_sign_in_again(server, enrol):
    fred = enrol()
    server.admin("revoke", fred.staff_id, "--reason", "left")
    message = _refusal(fred.inbox)
    assert "Sign in again on this workstation" in message
