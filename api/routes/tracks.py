"""Tracks: points sent by the driver's phone or the vehicle terminal's platform, and the track
read back as GeoJSON."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.track import PointsAdded, PointsIn
from waste_tracker.track import service
from waste_tracker.track.service import PointIn

router = APIRouter(prefix="/api/v1/tracks", tags=["tracks"], responses=ERROR_RESPONSES)


@router.post(
    "/{manifest_id}/points",
    response_model=PointsAdded,
    status_code=201,
    openapi_extra=permission(
        "driver", "enterprise", note="the manifest's carrier: its drivers (phone) or its account / API key (terminal)"
    ),
)
async def add_points(manifest_id: uuid.UUID, body: PointsIn, principal: PrincipalDep, session: SessionDep) -> PointsAdded:
    """Add a batch of positions (idempotent: a re-sent batch adds nothing; late and out-of-order
    points are fine; points before the pickup or after the drop-off are kept apart)."""
    points = [PointIn(p.recorded_at, p.lon, p.lat, p.accuracy_m, p.speed_kmh) for p in body.points]
    r = await service.add_points(session, principal, manifest_id, points)
    return PointsAdded(
        received=r.received, added=r.added, duplicates=r.duplicates, outside_window=r.outside_window, source=r.source
    )  # type: ignore[arg-type]


@router.get(
    "/{manifest_id}",
    openapi_extra=permission("enterprise", "driver", "regulator", "admin", note="the manifest's readers"),
)
async def get_track(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """The track as GeoJSON: the journey (LineString), its stops and gaps."""
    return await service.track_of(session, principal, manifest_id)
