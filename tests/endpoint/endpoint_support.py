"""Endpoint fixtures: a real server process per backend (SQLite file, private PostgreSQL)."""

from __future__ import annotations

import itertools
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from endpoint_harness import EndpointServer, postgres_bin, postgres_cluster, with_hospital_ca

from medsnap_endpoint import admin
from medsnap_endpoint.client import DeviceKeys, EndpointClient
from medsnap_endpoint.storage import open_database

BACKENDS = ["sqlite", "postgresql"]
#: the tests enrol many devices from one address; tests of the limits pass their own values
GENEROUS_LIMITS = ["--public-requests-per-minute", "100000", "--requests-per-minute", "100000"]


@pytest.fixture(scope="session")
def pg_cluster():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (scripts/install --test installs it)")
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def make_database_url(request) -> Callable[[str], str]:
    """A fresh, empty database of the given backend."""
    directory = Path(tempfile.mkdtemp(prefix="medsnap-endpoint-db-"))
    counter = itertools.count()

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{directory / f'endpoint-{next(counter)}.db'}"
        return request.getfixturevalue("pg_cluster").create_database()

    return make


def _with_ca(url: str) -> str:
    return with_hospital_ca(url, "MedSnap Test Hospital Root")


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, make_database_url) -> Iterator[EndpointServer]:
    """A shared running endpoint (with a CA) per backend; tests use fresh staff ids."""
    url = _with_ca(make_database_url(request.param))
    running = EndpointServer(url, GENEROUS_LIMITS).start()
    yield running
    running.stop()


@pytest.fixture
def start_server(make_database_url) -> Iterator[Callable[..., EndpointServer]]:
    """Start a private endpoint (own database, own options); stopped after the test."""
    started: list[EndpointServer] = []

    def start(backend: str, *extra: str) -> EndpointServer:
        running = EndpointServer(_with_ca(make_database_url(backend)),
                                 [*GENEROUS_LIMITS, *extra]).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def enrol(server) -> Iterator[Callable[..., EndpointClient]]:
    make = enrolment_factory(server)
    yield make
    for client in make.clients:  # type: ignore[attr-defined]
        client.close()


def enrolment_factory(server: EndpointServer) -> Callable[..., EndpointClient]:
    """Add a clinician (unique staff id) and enrol a device for them; returns a signed client."""
    clients: list[EndpointClient] = []

    def make(name: str = "Test Clinician", role: str = "Registrar",
             department: str = "Cardiology", keys: DeviceKeys | None = None) -> EndpointClient:
        staff_id = f"S{uuid.uuid4().hex[:10]}"
        database = open_database(server.database_url)
        try:
            code, _ = admin.add_clinician(database, staff_id=staff_id,
                                          email=f"{staff_id.lower()}@hospital.example",
                                          display_name=name, role=role, department=department)
        finally:
            database.close()
        client = EndpointClient(server.url)
        client.enrol(staff_id, code, keys)
        client.staff_id = staff_id  # type: ignore[attr-defined]
        clients.append(client)
        return client

    make.clients = clients  # type: ignore[attr-defined]
    return make


def signing_serial(server: EndpointServer, staff_id: str) -> int:
    """The serial of the clinician's one signing certificate (as `revoke --serial` takes it)."""
    database = open_database(server.database_url)
    try:
        with database.transaction() as tx:
            [(serial,)] = tx.all("SELECT serial FROM certificates WHERE staff_id = ? AND "
                                 "usage = 'signing'", (staff_id,))
    finally:
        database.close()
    return int(serial)
