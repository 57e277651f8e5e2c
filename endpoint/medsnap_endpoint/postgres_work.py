"""The hot routes' work on PostgreSQL: one call of a server-side function per request.

:mod:`.admitted_work` admitted a request in one statement and did its work in a transaction
of several more (BEGIN, each step, the audit row, COMMIT). Here the signature is verified in
Python as before (:func:`medsnap_endpoint.auth.verify_signature`, no write), then ONE
statement - its own transaction - admits the request, does the work and appends the audit
row (:mod:`.storage.pg_functions`). The function reports a refusal as an outcome code with
the nonce and count committed; it is raised here as the same typed error as before. A
request malformed in a way Python sees first is admitted (one statement) and then refused,
as before. A stored message is answered only once durable: committed synchronously by its
own call when nothing else is under way, else sharing the database's group commit.

Each route is a :class:`Plan` (the statement to call, made in Python without the database)
and a finisher (the answer from its rows, or the refusal): a worker thread runs them with
the blocking driver (:func:`run`), the event loop with the asynchronous one
(:mod:`.storage.pg_async`, :mod:`.hot_routes`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from medsnap_endpoint import auth, mailbox, sending
from medsnap_endpoint import protocol as p
from medsnap_endpoint.admitted_work import (
    JSON_TYPE, Answer, HotCall, body_mismatch, download_answer, json_body, signed_body_matches)
from medsnap_endpoint.audit import CHAIN_LOCK_NAME
from medsnap_endpoint.auth import Caller, Verified
from medsnap_endpoint.errors import EndpointError
from medsnap_endpoint.routes.common import item_id
from medsnap_endpoint.storage.postgres import lock_key

_CHAIN_LOCK = lock_key(CHAIN_LOCK_NAME)
_SIGNED_SHA256 = p.HEADER_CONTENT_SHA256.lower()


@dataclass(frozen=True)
class Plan:
    """One call of a route function: ``sql`` with its ``params``; ``durable``: answered only
    once its commit is on disk."""

    sql: str
    params: tuple
    durable: bool = False
    #: what the finisher needs besides the rows (the item id; a send's id, recipients...)
    context: Any = None


class AdmitFirst(Exception):
    """Python found the request malformed before any statement: it must be admitted (one
    statement) and then refused with ``error`` (:func:`refuse_admitted`), as on every route."""

    def __init__(self, error: EndpointError):
        super().__init__(error.message)
        self.error = error


Planner = Callable[[HotCall, Verified], Plan]
Finisher = Callable[[HotCall, Verified, Any, list[tuple]], Answer]


def _plan(call: HotCall, verified: Verified, function: str, body_ok: bool, args: Sequence[Any],
          context: Any, *, durable: bool = False) -> Plan:
    params = (*auth.admission_params(verified, call.settings), body_ok, _CHAIN_LOCK, *args)
    marks = ", ".join("?" * len(params))
    return Plan(f"SELECT * FROM {function}({marks})", params, durable, context)


def run(planner: Planner, finisher: Finisher, call: HotCall, verified: Verified) -> Answer:
    """The route with the blocking driver (in a worker thread)."""
    try:
        plan = planner(call, verified)
    except AdmitFirst as first:
        raise refuse_admitted(call, verified, first.error) from None
    if plan.durable:
        rows = call.database.single_durable(plan.sql, plan.params)  # type: ignore[attr-defined]
    else:
        rows = call.database.single(plan.sql, plan.params, write=True)
    return finisher(call, verified, plan.context, rows)


def _admitted(call: HotCall, verified: Verified, row: tuple) -> tuple[Caller, str]:
    """The caller and the work's outcome; raises the refusal of either (the verdict first)."""
    caller = auth.admitted_caller(verified, call.settings, *row[:4])
    if row[4] == "body_mismatch":
        raise body_mismatch()
    return caller, str(row[4])


def refuse_admitted(call: HotCall, verified: Verified, error: EndpointError) -> EndpointError:
    """``error`` (found in Python, before the database) once the request is admitted: a
    refusal of the admission, or of the body, comes first, as on every route."""
    auth.admit(call.database, verified, call.settings)
    if not signed_body_matches(call):
        return body_mismatch()
    return error


def plan_send(call: HotCall, verified: Verified) -> Plan:
    body, settings, headers = call.body, call.settings, call.headers
    sha256 = hashlib.sha256(body).hexdigest()
    query = parse_qsl(call.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    try:
        message_id = sending.message_id_of(dict(query).get("message_id", ""))
        recipients = sending.recipients_of([v for k, v in query if k == "to"], settings)
        sending.check_body(len(body), sha256, headers.get(_SIGNED_SHA256, ""))
    except EndpointError as error:
        raise AdmitFirst(error) from None
    size = len(body)
    view = memoryview(body)  # no copy: each chunk is a view of the body
    chunks = [view[at:at + settings.chunk_bytes] for at in range(0, size, settings.chunk_bytes)]
    detail = json.dumps({"to": recipients, "size": size, "sha256": sha256}, sort_keys=True,
                        separators=(",", ":"))
    return _plan(call, verified, "medsnap_send", True, (
        message_id, size, sha256, recipients, json.dumps(recipients),
        verified.now + settings.retention_seconds, chunks[0], chunks[1:] or None, detail),
        (message_id, recipients, size, sha256), durable=True)


def finish_send(call: HotCall, verified: Verified, sent: tuple, rows: list[tuple]) -> Answer:
    row = rows[0]
    message_id, recipients, size, sha256 = sent
    _caller, outcome = _admitted(call, verified, row)
    if outcome == "unreachable":
        problems = {kind: list(ids) for kind, ids in zip(
            ("unknown", "disabled", "not_enrolled"), row[5:8]) if ids}
        raise sending.refuse_unreachable(problems)
    if outcome == "existing":
        stored = sending.earlier(row[8:13], message_id, recipients, size, sha256)
    else:
        now = verified.now
        stored = sending.StoredMessage(message_id, recipients, size, sha256, now,
                                       now + call.settings.retention_seconds, False)
    return 200 if stored.duplicate else 201, [JSON_TYPE], json_body(stored.as_json())


def plan_inbox(call: HotCall, verified: Verified) -> Plan:
    return _plan(call, verified, "medsnap_inbox", signed_body_matches(call),
                 (mailbox.INBOX_LIMIT,), None)


def finish_inbox(call: HotCall, verified: Verified, _: None, rows: list[tuple]) -> Answer:
    _admitted(call, verified, rows[0])
    items = mailbox.inbox_items([row[5:] for row in rows[1:]])
    return 200, [JSON_TYPE], json_body({"messages": items})


def _item(call: HotCall, back: int) -> int:
    try:
        return item_id(call.scope["path"].rsplit("/", back)[1])
    except EndpointError as error:
        raise AdmitFirst(error) from None


_DOWNLOAD_COLUMNS = ("o_staff_id", "o_enabled", "o_fresh", "o_hits", "o_outcome", "o_size",
                     "o_sha256", "o_sender", "o_message_id", "o_chunks")


def plan_download(call: HotCall, verified: Verified) -> Plan:
    """The function's verdict and description, and the ciphertext of a message of one chunk
    joined by this statement: read once as it is sent (in the function it was copied into a
    variable and its result first: 100 us more of PostgreSQL's CPU per 100 KB). The chunk is
    read with the statement's snapshot, older than the function's: a message the function
    finds was stored before the request, so its chunk is seen (else NULL: streamed)."""
    item = _item(call, 1)
    plan = _plan(call, verified, "medsnap_download", signed_body_matches(call), (item,), item)
    columns = ", ".join(f"r.{name}" for name in _DOWNLOAD_COLUMNS)
    sql = (f"SELECT {columns}, c.data FROM ({plan.sql}) AS r LEFT JOIN message_chunks c "
           "ON r.o_chunks = 1 AND c.message_id = ? AND c.seq = 0")
    return Plan(sql, (*plan.params, item), plan.durable, item)


def finish_download(call: HotCall, verified: Verified, item: int, rows: list[tuple]
                    ) -> Answer:
    row = rows[0]
    _caller, outcome = _admitted(call, verified, row)
    if outcome == "not_found":
        raise mailbox.not_yours()
    if outcome == "gone":
        raise mailbox.download_gone()
    size, sha256, sender, message_id, chunks, first = row[5:11]
    return download_answer(call, mailbox.Download(
        item, int(size), sha256, sender, message_id, int(chunks),
        None if first is None else bytes(first)))


def plan_acknowledge(call: HotCall, verified: Verified) -> Plan:
    item = _item(call, 2)
    return _plan(call, verified, "medsnap_acknowledge", signed_body_matches(call), (item,),
                 item)


def finish_acknowledge(call: HotCall, verified: Verified, item: int, rows: list[tuple]
                       ) -> Answer:
    row = rows[0]
    _caller, outcome = _admitted(call, verified, row)
    if outcome == "not_found":
        raise mailbox.not_yours()
    if outcome == "gone":
        raise mailbox.expired_unacknowledged()
    return 200, [JSON_TYPE], json_body({"id": str(item), "status": row[5]})
