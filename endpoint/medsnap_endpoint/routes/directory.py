"""Directory search and lookup (signed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from medsnap_endpoint import directory
from medsnap_endpoint.auth import Caller
from medsnap_endpoint.errors import NotFound
from medsnap_endpoint.protocol import STAFF_ID_PATTERN
from medsnap_endpoint.routes.common import database, json, query_text, signed


def _search(request: Request, name: str, role: str, department: str) -> list[dict]:
    with database(request).transaction() as tx:
        return directory.search(tx, name=name, role=role, department=department)


def _lookup(request: Request, staff_id: str) -> dict | None:
    with database(request).transaction() as tx:
        return directory.lookup(tx, staff_id)


@signed()  # runs in a worker thread, after authentication in the same thread
def search(request: Request, caller: Caller) -> Response:
    results = _search(request, query_text(request, "name"), query_text(request, "role"),
                      query_text(request, "department"))
    return json({"clinicians": results})


@signed()
def lookup(request: Request, caller: Caller) -> Response:
    staff_id = request.path_params["staff_id"]
    entry = _lookup(request, staff_id) if STAFF_ID_PATTERN.match(staff_id) else None
    if entry is None:
        raise NotFound("No enrolled clinician has this staff id.", code="no_such_clinician")
    return json(entry)


ROUTES = [
    Route("/v1/directory", search, methods=["GET"]),
    Route("/v1/directory/{staff_id}", lookup, methods=["GET"]),
]
