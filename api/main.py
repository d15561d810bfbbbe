"""The FastAPI app: ``uvicorn api.main:app --host 0.0.0.0 --port 8000``."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core.db import session_factory
from core.errors import PlatformError

from .routes import admin, competitions, submissions, web


def create_app() -> FastAPI:
    app = FastAPI(title="AISC evaluation server", version="1.0",
                  description="Upload submissions, follow their scoring, read leaderboards.")

    @app.exception_handler(PlatformError)
    async def platform_error(_: Request, exc: PlatformError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        with session_factory()() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True}

    for module in (submissions, competitions, admin, web):
        app.include_router(module.router)
    return app


app = create_app()
