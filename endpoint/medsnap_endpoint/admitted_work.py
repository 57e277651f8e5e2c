"""The work of the hot routes (:mod:`.hot_routes`): verify, admit and do, in one go.

A request is verified (:func:`medsnap_endpoint.auth.verify_signature`: no write), then
admitted - certificate current, clinician enabled, nonce new, request counted - and its work
done. On SQLite both share ONE write transaction, run on the event loop's thread when no lock
is taken (else in a worker thread): a refusal of the work rolls back to a savepoint, so the
request's nonce and count are kept exactly as when admission committed on its own. On
PostgreSQL, in a worker thread, each route is one call of a server-side function
(:mod:`.postgres_work`). A stored message is answered only once durable."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl

from starlette.responses import StreamingResponse
from starlette.types import Scope

from medsnap_endpoint import auth, mailbox, sending
from medsnap_endpoint import protocol as p
from medsnap_endpoint.auth import Caller, Verified
from medsnap_endpoint.errors import EndpointError, Unauthorized
from medsnap_endpoint.routes.common import item_id
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import Database, Transaction, WouldBlock

if TYPE_CHECKING:
    from medsnap_endpoint.storage.pg_async import AsyncPostgres

#: (status, headers besides content-length, body); or a response that streams its body
Answer = tuple[int, list[tuple[bytes, bytes]], bytes] | StreamingResponse
Headers = Mapping[str, str]
T = TypeVar("T")

JSON_TYPE = (b"content-type", b"application/json")
OCTETS = "application/octet-stream"
_SIGNED_SHA256 = p.HEADER_CONTENT_SHA256.lower()


#: as Starlette's JSONResponse renders (json.dumps with these options made an encoder per call)
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))


def json_body(data: Any) -> bytes:
    """As Starlette's JSONResponse renders it."""
    return _JSON.encode(data).encode("utf-8")


@dataclass
class HotCall:
    """One request to a hot route, read whole, and how its transaction may run."""

    database: Database
    settings: Settings
    scope: Scope
    headers: Headers
    body: bytes
    #: on the event loop's thread: the transaction must not wait for a lock (it raises
    #: WouldBlock, to be run again in a worker thread) nor for the disk (``unsealed``)
    inline: bool = False
    #: a durable commit was made inline; the answer waits for ``database.sealer`` off the loop
    unsealed: bool = False
    #: the request blocked the event loop for a flush (nothing else under way): requests that
    #: arrived meanwhile are let in before the next such decision
    blocked_loop: bool = False
    #: PostgreSQL: the event loop's connections, which stream a download of several chunks
    loop_postgres: AsyncPostgres | None = None


def run(work: Callable[[HotCall, Verified], Answer], call: HotCall) -> Answer:
    """Verify the request's signature, then do its ``work`` (which admits it). A refusal of
    the signing key (revoked, disabled) is audited, off the event loop's thread."""
    verified = auth.verify_signature(call.scope, call.headers, call.database, call.settings)
    try:
        return work(call, verified)
    except auth.KeyRefused as refusal:
        if call.inline:  # nothing was written: the worker thread refuses it again, and audits
            raise WouldBlock from None
        auth.audit_refusal(call.database, call.settings, refusal, call.scope)
        raise


def admitted(call: HotCall, verified: Verified, work: Callable[[Transaction, Caller], T], *,
             durable: bool = False) -> T:
    """Admit the request and run ``work(tx, caller)``; raise the refusal of either (SQLite;
    PostgreSQL is :mod:`.postgres_work`)."""
    database, settings = call.database, call.settings
    refusal: EndpointError | None = None
    opened = (database.inline_transaction() if call.inline  # type: ignore[attr-defined]
              else database.transaction(write=True, durable=durable))
    with opened as tx:
        verdict = auth.admit_within(tx, verified, settings)
        if isinstance(verdict, EndpointError):
            refusal = verdict
        else:
            tx.execute("SAVEPOINT work")
            try:
                result = work(tx, verdict)
            except EndpointError as error:
                tx.execute("ROLLBACK TO work")
                refusal = error
    if refusal is not None:
        raise refusal
    call.unsealed = call.inline and durable
    return result


def signed_body_matches(call: HotCall) -> bool:
    return hashlib.sha256(call.body).hexdigest() == call.headers.get(_SIGNED_SHA256)


def body_mismatch() -> Unauthorized:
    return Unauthorized("The request body does not match its signed hash; "
                        "nothing was changed.", code="body_mismatch")


def _check_signed_body(call: HotCall) -> None:
    if not signed_body_matches(call):
        raise body_mismatch()


# the routes ----------------------------------------------------------------------------------
def send(call: HotCall, verified: Verified) -> Answer:
    body, settings, headers = call.body, call.settings, call.headers
    sha256 = hashlib.sha256(body).hexdigest()  # before the transaction: it holds the writer
    query = parse_qsl(call.scope["query_string"].decode("latin-1"), keep_blank_values=True)

    def store(tx: Transaction, caller: Caller) -> sending.StoredMessage:
        message_id = sending.message_id_of(dict(query).get("message_id", ""))
        recipients = sending.recipients_of([v for k, v in query if k == "to"], settings)
        sending.check_body(len(body), sha256, headers.get(_SIGNED_SHA256, ""))
        return sending.store(tx, settings, sender=caller.staff_id, message_id=message_id,
                             recipients=recipients, spool=body, size=len(body), sha256=sha256)

    stored = admitted(call, verified, store, durable=True)
    return 200 if stored.duplicate else 201, [JSON_TYPE], json_body(stored.as_json())


def inbox(call: HotCall, verified: Verified) -> Answer:
    mine = (mailbox.INBOX_LIMIT,)

    def listing(tx: Transaction, caller: Caller) -> list[tuple]:
        _check_signed_body(call)
        return tx.all(mailbox.INBOX, (caller.staff_id, *mine))

    rows = admitted(call, verified, listing)
    return 200, [JSON_TYPE], json_body({"messages": mailbox.inbox_items(rows)})


def download(call: HotCall, verified: Verified) -> Answer:
    number = call.scope["path"].rsplit("/", 1)[1]

    def open_item(tx: Transaction, caller: Caller) -> mailbox.Download:
        _check_signed_body(call)
        return mailbox.open_download(tx, caller.staff_id, item_id(number))

    return download_answer(call, admitted(call, verified, open_item))


def download_answer(call: HotCall, item: mailbox.Download) -> Answer:
    """The ciphertext of a download (streamed when it is stored in several chunks; on
    PostgreSQL read from the event loop, :func:`.mailbox.read_chunks_on_loop`)."""
    described = {"Content-Length": str(item.size), p.HEADER_CONTENT_SHA256: item.sha256,
                 "X-MedSnap-Sender": item.sender, "X-MedSnap-Message-Id": item.message_id}
    if item.first_chunk is None:  # several chunks: one short transaction each, streamed
        chunks = (mailbox.read_chunks(call.database, item) if call.loop_postgres is None
                  else mailbox.read_chunks_on_loop(call.loop_postgres, item))
        return StreamingResponse(chunks, media_type=OCTETS, headers=described)
    extra = [(b"content-type", OCTETS.encode())]
    extra += [(name.lower().encode(), value.encode("latin-1"))
              for name, value in described.items() if name != "Content-Length"]
    return 200, extra, item.first_chunk


def acknowledge(call: HotCall, verified: Verified) -> Answer:
    number = call.scope["path"].rsplit("/", 2)[1]

    def acknowledged(tx: Transaction, caller: Caller) -> dict:
        _check_signed_body(call)
        return mailbox.acknowledge(tx, caller.staff_id, item_id(number))

    return 200, [JSON_TYPE], json_body(admitted(call, verified, acknowledged))
