"""The four routes of every message exchange, served without Starlette's per-request layers.

Sending a small message, listing the inbox, downloading and acknowledging are nearly all of an
endpoint's traffic. Here each is a plain ASGI handler: the (bounded) body is read, then ONE
worker thread verifies the signature, admits the request and does its work
(:mod:`.admitted_work`) and answers once a stored message is durable. (SQLite's transaction
runs on the loop's thread when it takes no lock, and so does its flush when no other request
is under way, :mod:`.loop_traffic`. On PostgreSQL each route is one server-side function call,
:mod:`.postgres_work`, made from the loop with the asynchronous driver, bounded in time,
:mod:`.storage.pg_async`; a worker thread only for a key not yet cached or a malformed
request.) The checks are those of
every signed route (:mod:`.auth`); the answers are byte for byte what the Starlette routes
gave. Everything else goes to the Starlette application: other routes, other methods on these
paths (405), and a send too large to read before authenticating it (streamed, as before).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from medsnap_endpoint import admitted_work, auth, postgres_work, serve_log
from medsnap_endpoint.admitted_work import JSON_TYPE, Answer, HotCall, json_body
from medsnap_endpoint.bodies import SPOOL_IN_MEMORY, too_large
from medsnap_endpoint.errors import BadRequest, EndpointError, RateLimited
from medsnap_endpoint.loop_seal import LoopSeal
from medsnap_endpoint.loop_traffic import LoopTraffic
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage.base import WouldBlock
from medsnap_endpoint.storage.pg_async import AsyncPostgres, unreachable

log = logging.getLogger("medsnap_endpoint")

Work = Callable[[HotCall, Any], Answer]

UNEXPECTED = {"error": "internal", "message": "The endpoint failed unexpectedly; nothing was "
              "changed. Try again; if it persists, tell IT."}
WORKER_THREADS = 32


class HotRoute:
    """One hot route as an ASGI app (also registered with Starlette, which then only routes to
    it): the app's state comes from ``scope["app"]``, as for any Starlette endpoint."""

    def __init__(self, work: Work, planner: postgres_work.Planner,
                 finisher: postgres_work.Finisher, *, body_limit: Callable[[Settings], int]):
        self.work = work
        # PostgreSQL: one server-side function call (.postgres_work)
        self.planner, self.finisher = planner, finisher
        self.postgres_work = functools.partial(postgres_work.run, planner, finisher)
        self.body_limit = body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        traffic = _traffic(state)
        traffic.enter()
        try:  # served once answered: the next request of this client does not overlap it
            answer = await self._answer_request(scope, receive, state, traffic)
        finally:
            traffic.leave()
        if answer is None:
            return
        if isinstance(answer, StreamingResponse):
            await answer(scope, receive, send)
            return
        status, extra, content = answer
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(content)).encode()), *extra]})
        await send({"type": "http.response.body", "body": content})

    async def _answer_request(self, scope: Scope, receive: Receive, state: Any,
                              traffic: LoopTraffic) -> Answer | None:
        """The answer, an error's included; None if the client went away."""
        try:
            headers: dict[str, str] = {}
            for name, value in reversed(scope["headers"]):  # the first of a repeated name wins
                headers[name.decode("latin-1")] = value.decode("latin-1")
            call = HotCall(state.database, state.settings, scope, headers,
                           await _read_body(receive, headers, self.body_limit(state.settings)))
            try:
                return await self._answer(call, state, traffic)
            finally:
                if call.blocked_loop:  # before answering: the caller cannot have sent more
                    await traffic.notice_arrivals()
        except _Disconnected:
            return None
        except EndpointError as error:
            serve_log.refused(scope, error)
            extra = [(b"retry-after", str(error.retry_after).encode())] \
                if isinstance(error, RateLimited) else []
            return error.status, [JSON_TYPE, *extra], json_body(error.as_json())
        except Exception as error:
            refusal = unreachable(error)
            if refusal is not None:
                serve_log.refused(scope, refusal)
                return refusal.status, [JSON_TYPE], json_body(refusal.as_json())
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            return 500, [JSON_TYPE], json_body(UNEXPECTED)

    async def _answer(self, call: HotCall, state: Any, traffic: LoopTraffic) -> Answer:
        loop = asyncio.get_running_loop()
        if call.database.dialect == "sqlite":  # first on the loop's thread, if nothing waits
            call.inline = True
            try:
                answer = admitted_work.run(self.work, call)
            except WouldBlock:
                call.inline = False
            else:
                if call.unsealed:  # durable: answered once on disk, as any worker would
                    seal = _loop_seal(state)
                    if traffic.alone() and not seal.busy() and call.database.sealer.idle():
                        call.blocked_loop = True  # nobody to share a flush with: flush here
                        call.database.sealer.wait()
                        return answer
                    # else never flushed on the loop: requests queued behind a flush could not
                    # commit meanwhile, so each would need a flush of its own (no group commit)
                    await seal.wait()
                return answer
        work = self.work
        if call.database.dialect == "postgresql":
            call.loop_postgres = async_postgres(state)  # (a download streams through it)
            try:
                return await self._answer_on_loop(call, state)
            except (auth.KeyNotCached, postgres_work.AdmitFirst):
                work = self.postgres_work  # nothing was written: all again, in a worker
        return await loop.run_in_executor(workers(state), admitted_work.run, work, call)

    async def _answer_on_loop(self, call: HotCall, state: Any) -> Answer:
        """PostgreSQL's call from the loop: the signature is checked with the cached key, the
        statement awaited with the asynchronous driver (a refusal of the key is audited in a
        worker, as its audit row takes transactions of its own)."""
        verified = auth.verify_signature(call.scope, call.headers, call.database,
                                         call.settings, cached_only=True)
        plan = self.planner(call, verified)
        rows = await async_postgres(state).single(plan.sql, plan.params, durable=plan.durable)
        try:
            return self.finisher(call, verified, plan.context, rows)
        except auth.KeyRefused as refusal:
            await asyncio.get_running_loop().run_in_executor(
                workers(state), auth.audit_refusal, call.database, call.settings, refusal,
                call.scope)
            raise


def _json_limit(settings: Settings) -> int:
    return settings.max_json_bytes


def _message_limit(settings: Settings) -> int:
    return min(SPOOL_IN_MEMORY, settings.max_message_bytes)


pg = postgres_work
SEND = HotRoute(admitted_work.send, pg.plan_send, pg.finish_send, body_limit=_message_limit)
INBOX = HotRoute(admitted_work.inbox, pg.plan_inbox, pg.finish_inbox, body_limit=_json_limit)
DOWNLOAD = HotRoute(admitted_work.download, pg.plan_download, pg.finish_download,
                    body_limit=_json_limit)
ACKNOWLEDGE = HotRoute(admitted_work.acknowledge, pg.plan_acknowledge, pg.finish_acknowledge,
                       body_limit=_json_limit)


def workers(state: Any) -> ThreadPoolExecutor:
    """The app's worker threads for hot routes (shut down with the app, :func:`close`)."""
    pool = getattr(state, "hot_workers", None)
    if pool is None:
        pool = state.hot_workers = ThreadPoolExecutor(WORKER_THREADS, "medsnap-endpoint")
    return pool


def async_postgres(state: Any) -> AsyncPostgres:
    """The app's connections for PostgreSQL calls made on the loop (closed by :func:`aclose`)."""
    database = getattr(state, "hot_postgres", None)
    if database is None:
        database = state.hot_postgres = AsyncPostgres(
            state.database.url, timeout_seconds=state.settings.database_timeout_seconds)
    return database


def _traffic(state: Any) -> LoopTraffic:
    traffic = getattr(state, "hot_traffic", None)
    if traffic is None:
        traffic = state.hot_traffic = LoopTraffic()
    return traffic


def _loop_seal(state: Any) -> LoopSeal:
    seal = getattr(state, "hot_seal", None)
    if seal is None:
        seal = state.hot_seal = LoopSeal(state.database.sealer, workers(state))
    return seal


async def aclose(state: Any) -> None:
    """Close what the hot routes opened (at the app's shutdown, on its loop)."""
    database = getattr(state, "hot_postgres", None)
    if database is not None:
        state.hot_postgres = None
        await database.close()
    close(state)


def close(state: Any) -> None:
    pool = getattr(state, "hot_workers", None)
    state.hot_seal = None
    if pool is not None:
        state.hot_workers = None
        pool.shutdown(wait=False)


class HotRoutes:
    """ASGI front of the Starlette ``app``: the hot routes here, everything else there."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = self._route(scope)
            if route is not None:
                scope["app"] = self.app
                await route(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _route(self, scope: Scope) -> HotRoute | None:
        method, path = scope["method"], scope["path"]
        if path == "/v1/inbox":
            return INBOX if method == "GET" else None
        if path.startswith("/v1/inbox/"):
            rest = path[len("/v1/inbox/"):]
            if method == "GET" and rest and "/" not in rest:
                return DOWNLOAD
            if method == "POST" and rest.endswith("/ack") and len(rest) > 4 \
                    and "/" not in rest[:-4]:
                return ACKNOWLEDGE
            return None
        if path == "/v1/messages" and method == "POST" and self._small_body(scope):
            return SEND
        return None

    def _small_body(self, scope: Scope) -> bool:
        """A declared length the endpoint may read whole before authenticating the request
        (a larger one is streamed by the Starlette route, after authentication)."""
        for name, value in scope["headers"]:
            if name == b"content-length":
                return value.isdigit() and int(value) <= _message_limit(self.app.state.settings)
        return False


class _Disconnected(Exception):
    """The client went away before its request body arrived; nobody to answer."""


async def _read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    declared = headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BadRequest("The Content-Length header is malformed.")
        if int(declared) > limit:
            raise too_large(limit)
    parts, total = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        piece = message.get("body", b"")
        total += len(piece)
        if total > limit:
            raise too_large(limit)
        parts.append(piece)
        if not message.get("more_body", False):
            break
    return parts[0] if len(parts) == 1 else b"".join(parts)
