"""Routes anyone may call: health, the OpenAPI description, the root certificate and the CRL."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from medsnap_endpoint import ca_service, migrations
from medsnap_endpoint.openapi import schema
from medsnap_endpoint.routes.common import database, in_thread, json

PEM_CERT = "application/x-pem-file"


async def healthz(request: Request) -> Response:
    version = await in_thread(migrations.current_version, database(request))
    return json({"status": "ok", "schema_version": version})


async def openapi(request: Request) -> Response:
    return json(schema())


def _root(request: Request) -> str:
    with database(request).transaction() as tx:
        return ca_service.root_pem(tx)


async def root_certificate(request: Request) -> Response:
    return Response(await in_thread(_root, request), media_type=PEM_CERT)


async def crl(request: Request) -> Response:
    return Response(await in_thread(ca_service.crl_pem, database(request)), media_type=PEM_CERT)


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
    Route("/v1/ca/root", root_certificate, methods=["GET"]),
    Route("/v1/ca/crl", crl, methods=["GET"]),
]
