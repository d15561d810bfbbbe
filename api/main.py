"""The FastAPI app: ``uvicorn api.main:app --host 0.0.0.0 --port 8000``."""
from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from core import async_reads
from core.db import session_factory
from core.errors import PlatformError
from core.settings import get_settings

from . import errors, schemas
from .routes import (accounts_web, password_reset_web, admin, auth_web, competitions, console_web, notifications, pages_competitions, pages_submissions, regression,
                     submissions, web)
from .web_security import DOCS_STATIC, WebSecurity

STATIC = Path(__file__).resolve().parent / "static"


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Everything imported at start-up lives for the whole process: move it out of the cyclic
    # collector's reach, so full collections stay short (they showed as latency spikes).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)  # and collect less often: requests allocate many short-lived objects
    # On Postgres the polled status is read on this event loop (core.async_reads; deps.reads)
    reads = async_reads.for_database()
    if reads is not None:
        await reads.open()
    app.state.reads = reads
    try:
        yield
    finally:
        app.state.reads = None
        if reads is not None:
            await reads.close()


def create_app() -> FastAPI:
    # fastapi-offline: /docs and /redoc load Swagger UI and ReDoc from this server, not a CDN
    app = FastAPIOffline(title="AISC evaluation server", version="1.0", lifespan=lifespan,
                         description="Upload submissions, follow their scoring, read leaderboards.",
                         static_url=DOCS_STATIC)

    app.add_exception_handler(PlatformError, errors.platform_error)  # core error kinds -> HTTP statuses
    app.add_exception_handler(RequestValidationError, errors.validation_error)

    @app.get("/healthz", tags=["health"], response_model=schemas.Health)
    def healthz() -> dict:
        with session_factory()() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True}

    for module in (submissions, competitions, admin, regression, notifications, web, auth_web, pages_submissions, pages_competitions,
                   accounts_web, password_reset_web, console_web):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")  # the pages' CSS and JS

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = errors.add_error_schemas(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi
    app.add_middleware(WebSecurity, https=get_settings().public_url.startswith("https:"))  # headers, CSRF cookie
    return app


app = create_app()
