"""A revoked or disabled clinician's validly signed request leaves an audit row; unsigned,
badly signed and replayed requests write nothing."""

from __future__ import annotations

import json

import pytest

from medsnap_endpoint import protocol as p
from medsnap_endpoint.client import DeviceKeys, EndpointClient, EndpointRefused


def _rows(server) -> list[dict]:
    return [json.loads(line) for line in server.admin("export-audit").stdout.splitlines()]


def _refusals(server, staff_id: str) -> list[tuple[str, str, str]]:
    return [(row["action"], row["subject"], row["outcome"]) for row in _rows(server)
            if row["actor"] == staff_id and row["outcome"].startswith("refused")]


def _refused(attempt, *args) -> None:
    with pytest.raises(EndpointRefused) as refused:
        attempt(*args)
    assert refused.value.status == 401


def test_a_revoked_clinicians_send_and_inbox_are_audited_as_refused(server, enrol):
    alice, bob = enrol(), enrol()
    server.admin("revoke", "--staff-id", bob.staff_id)
    _refused(bob.send, "after-revoke", [alice.staff_id], b"ciphertext")
    _refused(bob.inbox)
    _refused(bob.search, "anyone")  # a Starlette route, not a hot one
    assert _refusals(server, bob.staff_id) == [
        ("request", "POST /v1/messages", "refused: revoked"),
        ("request", "GET /v1/inbox", "refused: revoked"),
        ("request", "GET /v1/directory", "refused: revoked")]
    assert alice.inbox() == []
    assert json.loads(server.admin("verify-audit").stdout)["intact"]


def test_a_disabled_clinicians_request_is_audited_as_refused(server, enrol):
    carol = enrol()
    server.admin("disable", carol.staff_id)
    _refused(carol.inbox)
    assert _refusals(server, carol.staff_id) == [
        ("request", "GET /v1/inbox", "refused: disabled")]
    server.admin("enable", carol.staff_id)
    assert carol.inbox() == []
    assert _refusals(server, carol.staff_id) == [
        ("request", "GET /v1/inbox", "refused: disabled")]


def test_unsigned_badly_signed_and_replayed_requests_write_no_row(server, enrol):
    dave = enrol()
    server.admin("revoke", "--staff-id", dave.staff_id)
    once = dave.signed_request("GET", "/v1/inbox")
    assert dave.send_request(once).status_code == 401
    before = len(_rows(server))
    assert dave.send_request(once).status_code == 401  # the same request replayed
    unsigned = dave.unsigned_request("GET", "/v1/inbox")
    assert dave.send_request(unsigned).status_code == 401
    forged = dave.signed_request("GET", "/v1/inbox")
    forged.headers[p.HEADER_SIGNATURE] = p.b64(DeviceKeys.generate().signing.sign(b"x"))
    assert dave.send_request(forged).status_code == 401
    with EndpointClient(server.url, DeviceKeys.generate()) as stranger:
        assert stranger.send_request(stranger.signed_request("GET", "/v1/inbox")
                                     ).status_code == 401
    assert len(_rows(server)) == before
    assert _refusals(server, dave.staff_id) == [("request", "GET /v1/inbox", "refused: revoked")]


def test_a_database_that_cannot_take_the_row_leaves_the_refusal_standing(caplog):
    """The client must still get its 401 (the app tells the clinician their certificate was
    revoked from it): a failed audit write is logged for IT, never raised (a fault only a
    stand-in database can produce on demand)."""
    import logging

    from medsnap_endpoint import refusal_audit
    from medsnap_endpoint.auth import Verified
    from medsnap_endpoint.settings import Settings

    class Unavailable:
        def transaction(self, write=False):
            raise RuntimeError("database is locked")

    with caplog.at_level(logging.ERROR, logger="medsnap_endpoint.refusals"):
        refusal_audit.record(Unavailable(), Settings(), Verified("k", "n", 0), method="GET",
                             path="/v1/inbox", nonce_expiry=60)
    assert "could not audit a refused request to GET /v1/inbox" in caplog.text
