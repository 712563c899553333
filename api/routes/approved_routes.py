"""Approved routes: regulators register and retire them; the parties of a pair read theirs."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES, Day
from schemas.route import RouteCreate, RouteRetire
from waste_tracker.track import approved_routes as routes

router = APIRouter(prefix="/api/v1/routes", tags=["routes"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, openapi_extra=permission("regulator", "admin"))
async def register_route(body: RouteCreate, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """Register the approved route for a pickup site and a receiver site (``off_corridor`` then
    judges their journeys against it)."""
    r = await routes.register(
        session,
        principal,
        pickup_site_id=body.pickup_site_id,
        receiver_site_id=body.receiver_site_id,
        geojson=body.geojson,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        datum=body.datum,
        note=body.note,
    )
    return {"id": str(r.id), "length_km": round(r.length_m / 1000, 1)}


@router.get("", openapi_extra=ANY_USER)
async def list_routes(principal: PrincipalDep, session: SessionDep, on: Day | None = None) -> dict[str, Any]:
    """The routes the caller may read, as GeoJSON (those in force on ``on``, when given)."""
    return await routes.list_routes(session, principal, on)


@router.post("/{route_id}/retire", openapi_extra=permission("regulator", "admin"))
async def retire_route(route_id: uuid.UUID, body: RouteRetire, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    r = await routes.retire(session, principal, route_id, body.on)
    return {"id": str(r.id), "valid_to": str(r.valid_to)}
