"""Protected zones: regulators import and retire them; every user reads them (public areas)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES, Day
from schemas.zone import ZoneRetire, ZonesImport
from waste_tracker.track import zones

router = APIRouter(prefix="/api/v1/zones", tags=["zones"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, openapi_extra=permission("regulator", "admin"))
async def import_zones(body: ZonesImport, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """Import zones from GeoJSON (WGS-84 unless ``datum`` says GCJ-02); all or nothing."""
    made = await zones.import_zones(
        session,
        principal,
        body.geojson,
        kind=body.kind,
        name=body.name,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        datum=body.datum,
        source=body.source,
        is_example=body.is_example,
    )
    return {"imported": len(made), "ids": [str(z.id) for z in made]}


@router.get("", openapi_extra=ANY_USER)
async def list_zones(principal: PrincipalDep, session: SessionDep, on: Day | None = None) -> dict[str, Any]:
    """The zones as GeoJSON (those in force on ``on``, when given)."""
    return await zones.list_zones(session, on)


@router.post("/{zone_id}/retire", openapi_extra=permission("regulator", "admin"))
async def retire_zone(zone_id: uuid.UUID, body: ZoneRetire, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    z = await zones.retire(session, principal, zone_id, body.on)
    return {"id": str(z.id), "valid_to": str(z.valid_to)}
