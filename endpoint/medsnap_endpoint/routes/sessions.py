"""``POST /v1/session``: a short-lived session key for HMAC-signed requests, agreed by X25519
(:mod:`..sessions`, :mod:`..session_agreement`); the answer carries no key."""

from __future__ import annotations

import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from medsnap_endpoint import protocol as p
from medsnap_endpoint import session_agreement as agreement
from medsnap_endpoint import sessions
from medsnap_endpoint.auth import Caller
from medsnap_endpoint.bodies import parse_json_object, require_base64
from medsnap_endpoint.errors import BadRequest
from medsnap_endpoint.routes.common import database, json, settings, signed


@signed()  # a worker thread: the endpoint secret is derived there the first time
def open_session(request: Request, caller: Caller) -> Response:
    if p.HEADER_SESSION in request.headers:  # else a stolen session could renew itself
        raise sessions.refused("a session cannot open another; sign this request with the "
                               "device key")
    client_public = require_base64(parse_json_object(request.state.body),
                                   "ephemeral_public_key", length=32)
    ephemeral = X25519PrivateKey.generate()
    try:
        shared = agreement.shared_secret(ephemeral, client_public)
    except agreement.UnusableEphemeralKey:
        raise BadRequest("The session's ephemeral key cannot be used (a low-order X25519 "
                         "point). No session was opened; the app makes a fresh key each "
                         "time, so try again.") from None
    server_public = agreement.public_bytes(ephemeral)
    secret = sessions.endpoint_secret(database(request))
    expires_at = int(time.time()) + settings(request).session_seconds
    token, key = sessions.issue(secret, caller.key_id, expires_at, shared, client_public,
                                server_public)
    answer = json({"session": token, "ephemeral_public_key": p.b64(server_public),
                   "endpoint_id": secret.endpoint_id,
                   "key_confirmation": p.b64(agreement.confirmation(key, token)),
                   "staff_id": caller.staff_id, "key_id": caller.key_id,
                   "expires_at": expires_at, "expires_in": settings(request).session_seconds},
                  status=201)
    answer.headers["Cache-Control"] = "no-store"
    return answer


ROUTES = [Route("/v1/session", open_session, methods=["POST"])]
