"""Enrolment and the deposited key file."""

from __future__ import annotations

import hashlib
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from medsnap_endpoint import enrolment, keyfiles, protocol, ratelimit
from medsnap_endpoint.auth import Caller
from medsnap_endpoint.bodies import parse_json_object, read_bounded, require_base64, \
    require_string
from medsnap_endpoint.errors import BadRequest, NotFound

CHALLENGE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")
from medsnap_endpoint.routes.common import client_address, database, in_thread, json, \
    settings, signed


async def _public_json(request: Request) -> dict:
    await in_thread(ratelimit.hit, database(request), f"public:{client_address(request)}",
                    limit=settings(request).public_requests_per_minute, window_seconds=60)
    return parse_json_object(await read_bounded(request, settings(request).max_json_bytes))


async def enrol_start(request: Request) -> Response:
    body = await _public_json(request)
    staff_id = require_string(body, "staff_id", max_length=64)
    if not protocol.STAFF_ID_PATTERN.match(staff_id):
        raise BadRequest("The staff id is malformed.")
    result = await in_thread(
        enrolment.start, database(request), settings(request), staff_id=staff_id,
        code=require_string(body, "code", max_length=64),
        encryption_key=require_base64(body, "encryption_public_key", length=32),
        signing_key=require_base64(body, "signing_public_key", length=32))
    return json(result, 201)


def _challenge_id(body: dict) -> str:
    challenge_id = require_string(body, "challenge_id", max_length=64)
    if not CHALLENGE_ID_PATTERN.match(challenge_id):
        raise BadRequest("The challenge id is malformed.")
    return challenge_id


async def enrol_finish(request: Request) -> Response:
    body = await _public_json(request)
    result = await in_thread(
        enrolment.finish, database(request), settings(request),
        challenge_id=_challenge_id(body),
        agreement_proof=require_base64(body, "agreement_proof", length=32),
        signature=require_base64(body, "signature", length=64))
    return json(result, 200)


@signed()  # runs in a worker thread, after authentication in the same thread
def deposit_key_file(request: Request, caller: Caller) -> Response:
    content: bytes = request.state.body
    if not content:
        raise BadRequest("The key file is empty; nothing was stored.")
    if len(content) > settings(request).max_key_file_bytes:
        raise BadRequest("The key file is larger than the endpoint accepts.")
    return json(keyfiles.deposit(database(request), caller.staff_id, content))


async def fetch_key_file(request: Request) -> Response:
    staff_id = request.path_params["staff_id"]
    if not protocol.STAFF_ID_PATTERN.match(staff_id):
        raise NotFound("No key file is deposited for this staff id.", code="no_key_file")
    content = await in_thread(keyfiles.fetch, database(request), settings(request), staff_id,
                              client_address(request))
    return Response(content, media_type="application/octet-stream",
                    headers={protocol.HEADER_CONTENT_SHA256: hashlib.sha256(content).hexdigest()})


ROUTES = [
    Route("/v1/enrol/start", enrol_start, methods=["POST"]),
    Route("/v1/enrol/finish", enrol_finish, methods=["POST"]),
    Route("/v1/keyfile", deposit_key_file, methods=["PUT"]),
    Route("/v1/keyfile/{staff_id}", fetch_key_file, methods=["GET"]),
]
