"""PostgreSQL stopped under a running endpoint: every route answers 503 database_unavailable
(monitoring and the app can tell it from a fault), the log has no traceback, and the endpoint
serves again once the database is back."""

from __future__ import annotations

import os
import uuid

import pytest
from endpoint_harness import EndpointServer, postgres_cluster, with_hospital_ca
from endpoint_support import GENEROUS_LIMITS, enrolment_factory

from medsnap_endpoint.client import EndpointRefused


@pytest.fixture
def stopped_later():
    with postgres_cluster() as cluster:
        running = EndpointServer(with_hospital_ca(cluster.create_database(), "Test Root"),
                                 GENEROUS_LIMITS).start()
        try:
            yield cluster, running
        finally:
            running.stop()


def _refused(call) -> EndpointRefused:
    with pytest.raises(EndpointRefused) as refused:
        call()
    return refused.value


def test_a_stopped_database_is_503_on_every_route_and_serving_resumes(stopped_later):
    cluster, running = stopped_later
    make = enrolment_factory(running)
    alice, bob = make(), make()
    alice.send("before", [bob.staff_id], b"x" * 1000)

    cluster.pg_ctl("stop")
    for call in (alice.healthz, lambda: alice.search("Test"),  # (the directory: a Starlette route)
                 lambda: alice.send(uuid.uuid4().hex, [bob.staff_id], os.urandom(2_000_000)),
                 lambda: alice.send(uuid.uuid4().hex, [bob.staff_id], b"y" * 1000),
                 bob.inbox):
        refused = _refused(call)
        assert (refused.status, refused.code) == (503, "database_unavailable"), refused
    assert "Traceback" not in running.log(), running.log()

    cluster.pg_ctl("start")
    assert alice.healthz()["status"] == "ok"
    [item] = bob.inbox()
    assert bob.download(item["id"]) == b"x" * 1000
