"""Receiving and reading tracks.

A batch is idempotent: a point is keyed by (manifest, source, carrier, recorded_at), so a re-sent
batch adds nothing. Points may arrive late and out of order (a phone offline in a tunnel uploads
later). A point recorded before the pickup or after the drop-off — or, with several carriers,
outside the leg its carrier drove — is kept apart (``in_window`` false): stored, counted, never
drawn or judged as part of the journey.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.manifest import access
from waste_tracker.models import Manifest, TrackPoint
from waste_tracker.track.analysis import Fix, driven_m, gaps, stops, thin
from waste_tracker.track.legs import legs_of

MAX_BATCH = 1000
MAX_SKEW = timedelta(minutes=10)  # a device clock a little ahead of ours is tolerated
MAX_AGE = timedelta(days=10)  # as for offline scans: late, not years late
NOT_PICKED_UP = ("draft", "deleted", "submitted", "cancelled")


@dataclass(frozen=True)
class PointIn:
    recorded_at: datetime
    lon: float
    lat: float
    accuracy_m: float | None = None
    speed_kmh: float | None = None


@dataclass(frozen=True)
class BatchResult:
    received: int
    added: int
    duplicates: int
    outside_window: int
    source: str


def source_of(actor: Principal, m: Manifest) -> str:
    """Who may send a manifest's track: its carriers' drivers (their phones), or a carrier's own
    account or API key (a vehicle terminal's platform or gateway)."""
    if actor.organisation_id in m.carrier_org_ids:
        if actor.role == "driver":
            return "phone"
        if actor.acts_as("carrier"):
            return "terminal"
    if access.can_see(actor, m):
        raise Forbidden("not_your_load", {"manifest_id": str(m.id)})
    raise NotFound("manifest", m.id)


_INSERT = text("""
    INSERT INTO track_point (manifest_id, source, recorded_at, lon, lat, accuracy_m, speed_kmh, carrier_org_id,
                             received_at, in_window)
    SELECT :m, :source, p.t, p.lon, p.lat, p.acc, p.speed, :carrier, :now, p.w
    FROM unnest(CAST(:t AS timestamptz[]), CAST(:lon AS float8[]), CAST(:lat AS float8[]), CAST(:acc AS float4[]),
                CAST(:speed AS float4[]), CAST(:w AS boolean[])) AS p(t, lon, lat, acc, speed, w)
    ON CONFLICT DO NOTHING
    RETURNING in_window""")


async def add_points(
    session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, points: Sequence[PointIn], now: datetime | None = None
) -> BatchResult:
    now = now or clock.now()
    m = await session.get(Manifest, manifest_id)
    if m is None or not access.can_see(actor, m):
        raise NotFound("manifest", manifest_id)
    source = source_of(actor, m)
    if m.status in NOT_PICKED_UP or m.picked_up_at is None:
        raise Conflict("manifest_not_in_transit", {"status": m.status})
    if m.delivered_at is not None and now > m.delivered_at + MAX_AGE:
        raise Conflict("track_closed", {"delivered_at": m.delivered_at.isoformat(), "max_days": MAX_AGE.days})
    if not points or len(points) > MAX_BATCH:
        raise Invalid("validation_error", {"field": "points", "min": 1, "max": MAX_BATCH})
    seen: dict[datetime, PointIn] = {}
    for i, p in enumerate(points):
        if p.recorded_at.tzinfo is None:
            raise Invalid("timestamp_without_zone", {"field": f"points[{i}].recorded_at"})
        if p.recorded_at > now + MAX_SKEW:
            raise Invalid("point_in_future", {"index": i, "recorded_at": p.recorded_at.isoformat()})
        if p.recorded_at < now - MAX_AGE:
            raise Invalid("point_too_old", {"index": i, "recorded_at": p.recorded_at.isoformat(), "max_days": MAX_AGE.days})
        seen.setdefault(p.recorded_at, p)  # the same instant twice in one batch: the first counts
    batch = list(seen.values())
    # Inside the journey: within a leg this carrier drove (one leg, pickup to drop-off, with one carrier).
    carrier = actor.organisation_id
    assert carrier is not None  # source_of admitted a carrier
    legs = await legs_of(session, m)
    inside = [any(leg.holds(carrier, p.recorded_at) for leg in legs) for p in batch]
    rows = (
        (
            await session.execute(
                _INSERT,
                {
                    "m": m.id,
                    "source": source,
                    "carrier": carrier,
                    "now": now,
                    "w": inside,
                    "t": [p.recorded_at for p in batch],
                    "lon": [round(p.lon, 7) for p in batch],
                    "lat": [round(p.lat, 7) for p in batch],
                    "acc": [p.accuracy_m for p in batch],
                    "speed": [p.speed_kmh for p in batch],
                },
            )
        )
        .scalars()
        .all()
    )
    return BatchResult(len(points), len(rows), len(points) - len(rows), sum(1 for w in rows if not w), source)


async def track_of(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID) -> dict[str, Any]:
    """The track as GeoJSON (RFC 7946, lon/lat): the journey as a line, its stops and gaps, the
    points kept apart counted."""
    m = await session.get(Manifest, manifest_id)
    if m is None or not access.can_see(actor, m):
        raise NotFound("manifest", manifest_id)
    rows = (
        (
            await session.execute(
                select(TrackPoint)
                .where(TrackPoint.manifest_id == m.id)
                .order_by(col(TrackPoint.recorded_at), col(TrackPoint.source))
            )
        )
        .scalars()
        .all()
    )
    inside = [r for r in rows if r.in_window]
    every = [Fix(r.recorded_at, r.lon, r.lat) for r in inside]
    fixes = thin(every)  # the line keeps every point; the shapes are judged on the thinned track
    legs = await legs_of(session, m)
    features: list[dict[str, Any]] = []
    legs_out = []
    for leg in legs:
        mine = [r for r in inside if leg.holds(r.carrier_org_id, r.recorded_at)]
        leg_fixes = thin([Fix(r.recorded_at, r.lon, r.lat) for r in mine])
        legs_out.append(leg.wire() | {"points": len(mine), "driven_km": round(driven_m(leg_fixes) / 1000, 2)})
        if len(leg_fixes) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [[f.lon, f.lat] for f in leg_fixes]},
                    "properties": {
                        "kind": "track",
                        "leg": leg.position,
                        "carrier_org_id": str(leg.carrier_org_id),
                        "vehicle_plate": leg.vehicle_plate,
                        "points": len(leg_fixes),
                        "driven_km": round(driven_m(leg_fixes) / 1000, 2),
                        "from": leg_fixes[0].at.isoformat(),
                        "to": leg_fixes[-1].at.isoformat(),
                        "sources": sorted({r.source for r in mine}),
                    },
                }
            )
    for s in stops(fixes):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "kind": "stop",
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "minutes": round(s.minutes, 1),
                },
            }
        )
    for g in gaps(fixes):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[g.from_lon, g.from_lat], [g.to_lon, g.to_lat]]},
                "properties": {
                    "kind": "gap",
                    "start": g.start.isoformat(),
                    "end": g.end.isoformat(),
                    "minutes": round(g.minutes, 1),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "manifest_id": str(m.id),
        "points": len(inside),
        "outside_window": len(rows) - len(inside),
        "legs": legs_out,
    }


async def ensure_partitions(session: AsyncSession, months: int = 4) -> int:
    """Create the coming months' partitions of ``track_point`` (the scheduler runs it daily)."""
    made = (
        await session.execute(
            text("SELECT track_point_ensure_partitions(CAST(:d AS date), :n)"), {"d": clock.today(), "n": months}
        )
    ).scalar_one()
    return int(made)
