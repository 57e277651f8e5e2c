"""``POST /v1/session``: a short-lived session key for HMAC-signed requests (:mod:`..sessions`)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from medsnap_endpoint import protocol as p
from medsnap_endpoint import sessions
from medsnap_endpoint.auth import Caller
from medsnap_endpoint.routes.common import database, json, settings, signed


@signed()  # a worker thread: the endpoint secret is derived there the first time
def open_session(request: Request, caller: Caller) -> Response:
    if p.HEADER_SESSION in request.headers:  # else a stolen session could renew itself
        raise sessions.refused("a session cannot open another; sign this request with the "
                               "device key")
    expires_at = int(time.time()) + settings(request).session_seconds
    token, key = sessions.issue(sessions.endpoint_secret(database(request)), caller.key_id,
                                expires_at)
    answer = json({"session": token, "session_key": p.b64(key), "staff_id": caller.staff_id,
                   "key_id": caller.key_id, "expires_at": expires_at,
                   "expires_in": settings(request).session_seconds}, status=201)
    answer.headers["Cache-Control"] = "no-store"
    return answer


ROUTES = [Route("/v1/session", open_session, methods=["POST"])]
