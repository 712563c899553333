"""A manifest's timeline for people: each event with where it happened, who did it (organisation
as it was named then, and user names) and how far a scan was from the site it belongs to.
Read-only; the caller has already checked that the reader may see the manifest."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.registry.names import organisation_names, user_names

_EVENTS = text(
    """SELECT e.seq, e.type, e.server_time, e.device_time, e.actor_user_id, e.actor_org_id, e.vehicle_plate,
              e.accuracy_m, e.payload, e.hash, ST_X(e.location) AS lon, ST_Y(e.location) AS lat,
              CASE WHEN e.location IS NOT NULL AND s.id IS NOT NULL
                   THEN ST_Distance(e.location::geography, s.location::geography) END AS site_distance_m,
              (SELECT i.name FROM organisation_identity i
               WHERE i.organisation_id = e.actor_org_id AND i.created_at <= e.server_time
               ORDER BY i.created_at DESC LIMIT 1) AS actor_org_then
       FROM manifest_event e
       LEFT JOIN site s ON s.id = CASE WHEN e.payload ? 'site_id' THEN CAST(e.payload->>'site_id' AS uuid) END
       WHERE e.manifest_id = :m ORDER BY e.seq"""
)


@dataclass
class TimelineEntry:
    seq: int
    type: str
    server_time: datetime
    device_time: datetime | None
    actor_org: str | None
    actor_user: str | None
    vehicle_plate: str | None
    accuracy_m: float | None
    lon: float | None
    lat: float | None
    site_distance_m: float | None
    payload: dict[str, Any]
    hash: str


async def timeline(session: AsyncSession, manifest_id: uuid.UUID) -> list[TimelineEntry]:
    rows = (await session.execute(_EVENTS, {"m": manifest_id})).mappings().all()
    orgs = await organisation_names(session, (r["actor_org_id"] for r in rows))
    users = await user_names(session, (r["actor_user_id"] for r in rows))
    return [
        TimelineEntry(
            seq=r["seq"],
            type=r["type"],
            server_time=r["server_time"],
            device_time=r["device_time"],
            # the organisation's legal name when it acted (a later change of name does not rewrite it)
            actor_org=r["actor_org_then"] or orgs.get(r["actor_org_id"]),
            actor_user=users.get(r["actor_user_id"]),
            vehicle_plate=r["vehicle_plate"],
            accuracy_m=float(r["accuracy_m"]) if r["accuracy_m"] is not None else None,
            lon=r["lon"],
            lat=r["lat"],
            site_distance_m=float(r["site_distance_m"]) if r["site_distance_m"] is not None else None,
            payload=r["payload"] or {},
            hash=r["hash"],
        )
        for r in rows
    ]
