"""``Idempotency-Key`` support for state-changing endpoints (see waste_tracker.idempotency)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import idempotency
from waste_tracker.auth.principal import Principal

IDEMPOTENCY_HEADER = "Idempotency-Key"


async def idempotent(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    status_code: int,
    produce: Callable[[], Awaitable[Any]],
) -> JSONResponse:
    """Run ``produce`` once per key: a retry gets the first response back and writes nothing."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return JSONResponse(jsonable_encoder(await produce()), status_code=status_code)
    idempotency.check_key(key)
    fp = idempotency.fingerprint(request.method, request.url.path, await request.body())
    stored = await idempotency.claim(session, principal.user_id, key, fp)
    if stored is not None:
        return JSONResponse(stored.body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"})
    body = jsonable_encoder(await produce())
    await idempotency.store(session, principal.user_id, key, status_code, body)
    return JSONResponse(body, status_code=status_code)
