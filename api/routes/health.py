"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import PUBLIC
from waste_tracker import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz", openapi_extra=PUBLIC)
async def healthz() -> dict[str, str]:
    """The process is up (says nothing about the database)."""
    return {"status": "ok"}


@router.get("/readyz", openapi_extra=PUBLIC)
async def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the migrations' head."""
    engine = request.app.state.engine
    try:
        async with asyncio.timeout(3):
            async with engine.connect() as conn:
                current = await conn.run_sync(migrate.current_revisions)
    except Exception as e:  # noqa: BLE001 - any failure here means "not ready"
        return JSONResponse({"status": "unavailable", "database": "unreachable", "error": type(e).__name__}, status_code=503)
    if not migrate.is_current(current):
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": "behind",
                "current": sorted(current),
                "head": sorted(migrate.head_revisions()),
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "current"})
