"""create_app: the hub's FastAPI application and the lifespan that owns its resources.

The lifespan opens the store through the single writer (HubService), wires its commits to the
broadcaster on the event loop and to the estimator (shared/hub/estimates.py: fitted on the
history, a first book computed, then recomputed off the writer thread), learns the quieter hours
(shared/hub/hours.py), keeps the opening day current, and (optionally) advertises the hub with
zeroconf. Everything it starts, it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sqlite3
import zlib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import const
from shared.clock import Clock, SystemClock
from shared.config import OfficeConfig
from shared.core.errors import MontourError
from shared.core.estimate import Book
from shared.core.events import Event
from shared.core.model import OfficeState
from shared.hub import (
    agent_api,
    appointments,
    audit,
    callbacks,
    contacts,
    hours,
    kiosk_api,
    routes,
    ws,
)
from shared.hub.broadcast import Broadcaster
from shared.hub.context import Hub
from shared.hub.estimates import Estimator
from shared.hub.pages import board
from shared.hub.pages import phone as phone_page
from shared.hub.service import HubService, Tx

log = logging.getLogger(__name__)


def hub_id_of(service: HubService) -> str:
    def job(tx: Tx) -> str:
        hub_id = tx.store.meta("hub_id")
        if hub_id is None:
            hub_id = secrets.token_hex(8)
            tx.store.set_meta("hub_id", hub_id)
        return hub_id

    return service.run(job)


def create_app(
    config: OfficeConfig,
    db_path: Path,
    clock: Clock | None = None,
    on_started: Any = None,
) -> FastAPI:
    """The hub for one office. `on_started(hub)` is awaited once the hub is ready (discovery)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        service = HubService(config, db_path, clock or SystemClock())
        service.run(lambda tx: None)  # opens today's day if needed before anyone reads
        broadcaster = Broadcaster(service.state, service.seq)

        def on_book(book: Book) -> None:
            loop.call_soon_threadsafe(broadcaster.announce_estimates, book.seq)

        hub_id = hub_id_of(service)
        # Seeded by the hub's identity: the same state gives the same figures after a restart.
        seed = zlib.crc32(hub_id.encode())
        estimator = Estimator(config, db_path, service.clock, on_book, seed=seed)
        # Fitted on the history and a first book computed before the first request.
        await asyncio.to_thread(estimator.start, service.state, service.seq)
        service.estimator = estimator

        def on_commit(state: OfficeState, events: list[tuple[int, Event]]) -> None:
            loop.call_soon_threadsafe(broadcaster.publish, state, events)
            estimator.notify(state, events[-1][0])

        service.listeners.append(on_commit)
        reader = sqlite3.connect(str(db_path), check_same_thread=False)
        hub = Hub(config, service, broadcaster, reader, hub_id, estimator=estimator)
        app.state.hub = hub
        # The learned quieter hours: ready before the first request, refreshed by the
        # estimator's nightly job (recomputed when a week old, else read from the cache).
        await asyncio.to_thread(hours.refresh, app)

        def nightly(day: date) -> None:
            hours.refresh(app, day)

        estimator.on_new_day.append(nightly)
        day_task = asyncio.create_task(_keep_day_current(service))
        stop = None
        try:
            if on_started is not None:
                stop = await on_started(hub)
            yield
        finally:
            day_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await day_task
            if stop is not None:
                await stop()
            await asyncio.to_thread(estimator.close)
            await asyncio.to_thread(service.close)
            reader.close()

    app = FastAPI(
        title="Montour hub",
        version="1",
        summary="The queue of one office: tickets, counters and live events.",
        lifespan=lifespan,
        # No OpenTelemetry: nothing collects it in an office, its logs would carry request
        # details (P6), and its per-request checks of the environment cost measurable CPU.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    # The routes join the app's own router: FastAPI 0.163 dispatches a request through an
    # included router ~90 µs slower (measured: 171 vs 79 µs a POST), a third of the hub's CPU.
    app.router.routes.extend(routes.router.routes)
    app.router.routes.extend(ws.router.routes)
    app.router.routes.extend(kiosk_api.router.routes)
    app.router.routes.extend(agent_api.router.routes)
    app.router.routes.extend(appointments.router.routes)
    app.router.routes.extend(phone_page.router.routes)
    app.router.routes.extend(board.router.routes)
    app.router.routes.extend(hours.router.routes)
    _install_error_handlers(app)
    return app


async def _keep_day_current(service: HubService) -> None:
    """At the office's midnight, open the new day even if nobody writes; and delete the
    call-back requests, contacts and access-log rows whose retention time has passed (P4)."""
    while True:
        await asyncio.sleep(const.DAY_CHECK_INTERVAL_S)
        with contextlib.suppress(MontourError):
            await asyncio.wrap_future(service.submit(housekeeping))


def housekeeping(tx: Tx) -> int:
    """The periodic job: the day is opened by merely running a job; returns how many rows of
    personal data (call-back requests, contacts, access-log rows) were deleted."""
    return (
        callbacks.purge_expired(tx.db, tx.now)
        + contacts.purge_expired(tx.db, tx.now)
        + audit.purge(tx.db, tx.now, tx.config.audit_retention_days)
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MontourError)
    async def domain_error(request: Request, exc: MontourError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {e.get('msg', 'invalid')}")
        return JSONResponse(
            {"error": "invalid_input", "message": "; ".join(problems) or "Invalid request."},
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else "Request refused."
        if exc.status_code == 404:
            message = f"No such address: {request.url.path}. The API is under /api/v1 (see /docs)."
        return JSONResponse({"error": code, "message": message}, exc.status_code)
