"""Sending, the inbox (download, acknowledge, read and refusal receipts) and the sender's
status view."""

from __future__ import annotations

from typing import BinaryIO

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from medsnap_endpoint import directory, hot_routes, mailbox, sending
from medsnap_endpoint import protocol as p
from medsnap_endpoint.auth import Caller
from medsnap_endpoint.bodies import SPOOL_IN_MEMORY, spool_bounded
from medsnap_endpoint.errors import NotFound
from medsnap_endpoint.routes.common import database, in_thread, item_id, json, settings, signed


def _precheck(request: Request, recipients: list[str]) -> None:
    with database(request).transaction() as tx:
        problems = directory.recipient_problems(tx, recipients)
    if problems:
        raise sending.refuse_unreachable(problems)


def _store(request: Request, caller: Caller, message_id: str, recipients: list[str],
           spool: BinaryIO, size: int, sha256: str) -> sending.StoredMessage:
    with database(request).transaction(write=True) as tx:
        return sending.store(tx, settings(request), sender=caller.staff_id,
                             message_id=message_id, recipients=recipients, spool=spool,
                             size=size, sha256=sha256)


@signed(streams_body=True)
async def send(request: Request, caller: Caller) -> Response:
    """A message too large to read before authenticating it (a small one is sent through
    :data:`medsnap_endpoint.hot_routes.SEND`): authenticated first, then streamed to a spool."""
    message_id = sending.message_id_of(request.query_params.get("message_id", ""))
    recipients = sending.recipients_of(request.query_params.getlist("to"), settings(request))
    declared = request.headers.get("content-length", "")
    if not (declared.isdigit() and int(declared) <= SPOOL_IN_MEMORY):
        # refuse before receiving up to 50 MB; a small body is checked when stored, unspent
        await in_thread(_precheck, request, recipients)
    spool, size, sha256 = await spool_bounded(request, settings(request).max_message_bytes)
    try:
        sending.check_body(size, sha256, request.headers[p.HEADER_CONTENT_SHA256])
        stored = await in_thread(_store, request, caller, message_id, recipients, spool, size,
                                 sha256)
    finally:
        spool.close()
    return json(stored.as_json(), 200 if stored.duplicate else 201)


@signed()
def read_receipt(request: Request, caller: Caller) -> Response:
    return json(mailbox.mark_read(database(request), caller.staff_id,
                                  item_id(request.path_params["id"])))


@signed()
def refusal_receipt(request: Request, caller: Caller) -> Response:
    """The recipient's app refused a letter it acknowledged; body ``{"reason": REASON}``."""
    item = item_id(request.path_params["id"])
    reason = mailbox.refusal_reason_of(request.state.body)
    return json(mailbox.mark_refused(database(request), caller.staff_id, item, reason))


def _status(request: Request, sender: str, message_id: str) -> dict:
    with database(request).transaction() as tx:
        return mailbox.status(tx, sender, message_id)


@signed()
def status(request: Request, caller: Caller) -> Response:
    message_id = request.path_params["message_id"]
    if not p.MESSAGE_ID_PATTERN.match(message_id):
        raise NotFound("You sent no message with this id.", code="no_such_message")
    return json(_status(request, caller.staff_id, message_id))


# the hot routes are served by medsnap_endpoint.hot_routes.HotRoutes before Starlette routes;
# they are declared here too, so that other methods on their paths are answered 405
ROUTES = [
    Route("/v1/messages", send, methods=["POST"]),
    Route("/v1/inbox", hot_routes.INBOX, methods=["GET"]),
    Route("/v1/inbox/{id}", hot_routes.DOWNLOAD, methods=["GET"]),
    Route("/v1/inbox/{id}/ack", hot_routes.ACKNOWLEDGE, methods=["POST"]),
    Route("/v1/inbox/{id}/read", read_receipt, methods=["POST"]),
    Route("/v1/inbox/{id}/refused", refusal_receipt, methods=["POST"]),
    Route("/v1/outbox/{message_id}", status, methods=["GET"]),
]
