"""The Starlette application: routes by concern, JSON errors, a periodic expiry sweep (and on
PostgreSQL the reclaiming of deleted ciphertext's space, :mod:`.storage.pg_reclaim`).

Processes are stateless: everything lives in the database, so several may serve one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from medsnap_endpoint import expiry, hot_routes, serve_log
from medsnap_endpoint.errors import EndpointError, RateLimited
from medsnap_endpoint.hot_routes import HotRoutes
from medsnap_endpoint.routes import directory, enrol, messages, public, sessions
from medsnap_endpoint.routes.common import in_thread
from medsnap_endpoint.settings import Settings
from medsnap_endpoint.storage import open_database
from medsnap_endpoint.storage.urls import is_postgresql
from medsnap_endpoint.storage.pg_async import lost
from medsnap_endpoint.storage.pg_reclaim import ChunkReclaimer

log = logging.getLogger("medsnap_endpoint")

ROUTES = [*public.ROUTES, *enrol.ROUTES, *sessions.ROUTES, *directory.ROUTES,
          *messages.ROUTES]


async def _endpoint_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, EndpointError)
    serve_log.refused(request.scope, error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return JSONResponse(error.as_json(), status_code=error.status, headers=headers)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return JSONResponse({"error": codes.get(error.status_code, "http_error"),
                         "message": str(error.detail)}, status_code=error.status_code,
                        headers=error.headers)


async def _database_unreachable(request: Request, error: Exception) -> Response:
    """PostgreSQL stopped or unreachable: 503 ``database_unavailable``, as the message routes
    answer it, so monitoring and the app can tell it from a fault (a handler of its own: the
    one for every Exception is Starlette's last resort, which logs a traceback after it)."""
    return await _endpoint_error(request, lost(error))


def _error_handlers(database_url: str | None) -> dict:
    handlers: dict = {EndpointError: _endpoint_error, HTTPException: _http_error,
                      Exception: _unexpected}
    if not is_postgresql(database_url):
        return handlers  # (psycopg takes 0.14 s to import: not for SQLite, nor the demo)
    try:
        import psycopg
    except ImportError:  # open_database says what to install
        return handlers
    handlers[psycopg.OperationalError] = _database_unreachable
    return handlers


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal", "message": "The endpoint failed unexpectedly; "
                         "nothing was changed. Try again; if it persists, tell IT."},
                        status_code=500)


async def _sweep_forever(app: Starlette) -> None:
    interval = app.state.settings.sweep_interval_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            await in_thread(expiry.sweep, app.state.database, app.state.settings)
        except Exception:  # keep serving; the next sweep retries
            log.exception("expiry sweep failed")


def _reclaimer(app: Starlette) -> ChunkReclaimer | None:
    settings, database = app.state.settings, app.state.database
    if database.dialect != "postgresql" or settings.reclaim_interval_seconds <= 0:
        return None
    return ChunkReclaimer(database.url, timeout_seconds=settings.database_timeout_seconds)


def create_app(database_url: str | None = None, settings: Settings | None = None) -> HotRoutes:
    """The ASGI application: the hot routes (:mod:`.hot_routes`) in front of Starlette's."""
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.database = await in_thread(open_database, database_url)
        app.state.settings = settings or Settings()
        timers = []
        if app.state.settings.sweep_interval_seconds > 0:
            timers.append(asyncio.create_task(_sweep_forever(app)))
        reclaimer = _reclaimer(app)
        if reclaimer is not None:
            timers.append(asyncio.create_task(
                reclaimer.run_forever(app.state.settings.reclaim_interval_seconds)))
        try:
            yield
        finally:
            for timer in timers:
                timer.cancel()
            if reclaimer is not None:
                await reclaimer.close()
            await hot_routes.aclose(app.state)
            app.state.database.close()

    return HotRoutes(Starlette(routes=ROUTES, lifespan=lifespan,
                               exception_handlers=_error_handlers(database_url)))
