"""What every route shares: the app's database and settings, signed-request handling, JSON."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from medsnap_endpoint import protocol as p
from medsnap_endpoint.auth import Caller, authenticate
from medsnap_endpoint.bodies import read_bounded
from medsnap_endpoint.errors import BadRequest, NotFound, Unauthorized
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database

SignedHandler = Callable[[Request, Caller], Response]


def database(request: Request) -> Database:
    return request.app.state.database


def settings(request: Request) -> Settings:
    return request.app.state.settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def in_thread(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Database work is blocking; run it off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)


def signed(*, streams_body: bool = False) -> Callable[[Callable], Callable]:
    """Require a valid device signature.

    A route that streams its own body (``streams_body=True``, an async handler) is
    authenticated before a byte of it is read. Any other route is a plain function run in one
    worker thread together with the authentication: its body (bounded) is read first, checked
    against the signed SHA-256 and left in ``request.state.body``. One thread hop per request.
    """

    def wrap(handler: Callable) -> Callable[[Request], Awaitable[Response]]:
        if streams_body:
            @functools.wraps(handler)
            async def streaming(request: Request) -> Response:
                caller = await in_thread(authenticate, request, database(request),
                                         settings(request))
                return await handler(request, caller)

            return streaming

        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            body = await read_bounded(request, settings(request).max_json_bytes)
            return await in_thread(_authenticated, handler, request, body)

        return endpoint

    return wrap


def _authenticated(handler: SignedHandler, request: Request, body: bytes) -> Response:
    caller = authenticate(request, database(request), settings(request))
    if hashlib.sha256(body).hexdigest() != request.headers[p.HEADER_CONTENT_SHA256]:
        raise Unauthorized("The request body does not match its signed hash; "
                           "nothing was changed.", code="body_mismatch")
    request.state.body = body
    return handler(request, caller)


def json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def item_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise NotFound("There is no such message in your mailbox.", code="no_such_message")
    return int(text)


def query_text(request: Request, name: str, *, max_length: int = 200) -> str:
    value = request.query_params.get(name, "")
    if len(value) > max_length or "\x00" in value:
        raise BadRequest(f"The query parameter '{name}' is too long or malformed.")
    return value
