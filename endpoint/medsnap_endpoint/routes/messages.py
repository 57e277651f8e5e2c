"""Sending, the inbox (download, acknowledge, read receipt) and the sender's status view."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from medsnap_endpoint import directory, mailbox, sending
from medsnap_endpoint import protocol as p
from medsnap_endpoint.auth import Caller
from medsnap_endpoint.bodies import SPOOL_IN_MEMORY, spool_bounded
from medsnap_endpoint.errors import BadRequest, NotFound, Unauthorized
from medsnap_endpoint.routes.common import database, in_thread, item_id, json, settings, signed


def _recipients(request: Request) -> list[str]:
    recipients = request.query_params.getlist("to")
    if not recipients:
        raise BadRequest("Name at least one recipient with ?to=STAFF_ID.")
    if len(recipients) > settings(request).max_recipients:
        raise BadRequest(f"A message may go to at most {settings(request).max_recipients} "
                         "recipients.")
    if not all(p.STAFF_ID_PATTERN.match(r) for r in recipients):
        raise BadRequest("A recipient's staff id is malformed.")
    if len(set(recipients)) != len(recipients):
        raise BadRequest("A recipient is named twice.")
    return sorted(recipients)


def _precheck(request: Request, recipients: list[str]) -> None:
    with database(request).transaction() as tx:
        problems = directory.recipient_problems(tx, recipients)
    if problems:
        raise sending.refuse_unreachable(problems)


@signed(streams_body=True)
async def send(request: Request, caller: Caller) -> Response:
    message_id = request.query_params.get("message_id", "")
    if not p.MESSAGE_ID_PATTERN.match(message_id):
        raise BadRequest("Give the message a message_id of 1-128 letters, digits or . _ : -")
    recipients = _recipients(request)
    declared = request.headers.get("content-length", "")
    if not (declared.isdigit() and int(declared) <= SPOOL_IN_MEMORY):
        # refuse before receiving up to 50 MB; a small body is checked when stored, unspent
        await in_thread(_precheck, request, recipients)
    spool, size, sha256 = await spool_bounded(request, settings(request).max_message_bytes)
    try:
        if sha256 != request.headers[p.HEADER_CONTENT_SHA256]:
            raise Unauthorized("The message body does not match its signed hash (damaged in "
                               "transit?); nothing was stored. Send it again.",
                               code="body_mismatch")
        if size == 0:
            raise BadRequest("The message is empty; nothing was stored.")
        stored = await in_thread(sending.store, database(request), settings(request),
                                 sender=caller.staff_id, message_id=message_id,
                                 recipients=recipients, spool=spool, size=size, sha256=sha256)
    finally:
        spool.close()
    return json(stored.as_json(), 200 if stored.duplicate else 201)


# the routes below run in a worker thread, after authentication in the same thread
@signed()
def inbox(request: Request, caller: Caller) -> Response:
    return json({"messages": mailbox.inbox(database(request), caller.staff_id)})


@signed()
def download(request: Request, caller: Caller) -> Response:
    item = mailbox.open_download(database(request), caller.staff_id,
                                 item_id(request.path_params["id"]))
    headers = {"Content-Length": str(item.size), p.HEADER_CONTENT_SHA256: item.sha256,
               "X-MedSnap-Sender": item.sender, "X-MedSnap-Message-Id": item.message_id}
    if item.first_chunk is not None:  # a one-chunk message came with the opening transaction
        return Response(item.first_chunk, media_type="application/octet-stream",
                        headers=headers)
    return StreamingResponse(mailbox.read_chunks(database(request), item),
                             media_type="application/octet-stream", headers=headers)


@signed()
def acknowledge(request: Request, caller: Caller) -> Response:
    return json(mailbox.acknowledge(database(request), caller.staff_id,
                                    item_id(request.path_params["id"])))


@signed()
def read_receipt(request: Request, caller: Caller) -> Response:
    return json(mailbox.mark_read(database(request), caller.staff_id,
                                  item_id(request.path_params["id"])))


def _status(request: Request, sender: str, message_id: str) -> dict:
    with database(request).transaction() as tx:
        return mailbox.status(tx, sender, message_id)


@signed()
def status(request: Request, caller: Caller) -> Response:
    message_id = request.path_params["message_id"]
    if not p.MESSAGE_ID_PATTERN.match(message_id):
        raise NotFound("You sent no message with this id.", code="no_such_message")
    return json(_status(request, caller.staff_id, message_id))


ROUTES = [
    Route("/v1/messages", send, methods=["POST"]),
    Route("/v1/inbox", inbox, methods=["GET"]),
    Route("/v1/inbox/{id}", download, methods=["GET"]),
    Route("/v1/inbox/{id}/ack", acknowledge, methods=["POST"]),
    Route("/v1/inbox/{id}/read", read_receipt, methods=["POST"]),
    Route("/v1/outbox/{message_id}", status, methods=["GET"]),
]
