"""Approved routes: the road a regulator approved between a pickup site and a receiver site.

``off_corridor`` measures a journey against the approved route in force for its pair (the newest
wins) instead of the straight line. Coordinates are WGS-84 unless the file says GCJ-02 (converted),
as for protected zones. A route is retired by its end date, never deleted: an alert judged
against it stays explained.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import LineString, shape
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid, NotFound
from waste_tracker.geo.boundaries import gcj02_coords_to_wgs84
from waste_tracker.models import ApprovedRoute, Site
from waste_tracker.track.zones import CHINA

MAX_VERTICES = 20_000


def _line(doc: Any) -> LineString:
    """The LineString of a GeoJSON LineString or Feature (one line: a route is one road)."""
    g = doc.get("geometry") if isinstance(doc, dict) and doc.get("type") == "Feature" else doc
    if not isinstance(g, dict) or g.get("type") != "LineString":
        kind = g.get("type") if isinstance(g, dict) else None
        raise Invalid("route_not_linestring", {"type": kind})
    coords = g.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        raise Invalid("route_not_linestring", {"type": "LineString", "reason": "at least two distinct positions"})
    try:
        line = shape(g)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, GEOSException) as e:
        raise Invalid("invalid_geojson", {"reason": str(e)[:200]}) from e
    if not isinstance(line, LineString) or len(line.coords) < 2 or line.length == 0:
        raise Invalid("route_not_linestring", {"type": "LineString", "reason": "at least two distinct positions"})
    if len(line.coords) > MAX_VERTICES:
        raise Invalid("validation_error", {"field": "geojson", "max_positions": MAX_VERTICES})
    lo_x, lo_y, hi_x, hi_y = line.bounds
    if lo_x < CHINA[0] or lo_y < CHINA[1] or hi_x > CHINA[2] or hi_y > CHINA[3]:
        raise Invalid("route_out_of_range", {"bounds": [round(v, 5) for v in line.bounds]})
    return line


async def register(
    session: AsyncSession,
    actor: Principal,
    *,
    pickup_site_id: uuid.UUID,
    receiver_site_id: uuid.UUID,
    geojson: Any,
    valid_from: date,
    valid_to: date | None = None,
    datum: str = "wgs84",
    note: str = "",
    far_km: float = 5.0,
) -> ApprovedRoute:
    """A regulator whose jurisdiction holds one end registers the route; its ends must be near the
    two sites (``route_far_from_site``: a route drawn for another pair)."""
    if not (actor.is_admin or actor.is_regulator):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": actor.role})
    if datum not in ("wgs84", "gcj02"):
        raise Invalid("validation_error", {"field": "datum", "allowed": ["wgs84", "gcj02"]})
    if valid_to is not None and valid_to < valid_from:
        raise Invalid("validation_error", {"field": "valid_to", "reason": "before valid_from"})
    sites = {s.id: s for s in [await session.get(Site, pickup_site_id), await session.get(Site, receiver_site_id)] if s}
    for field, sid in (("pickup_site_id", pickup_site_id), ("receiver_site_id", receiver_site_id)):
        if sid not in sites:
            raise Invalid("invalid_site", {"field": field, "site_id": str(sid)})
    if pickup_site_id == receiver_site_id:
        raise Invalid("validation_error", {"field": "receiver_site_id", "reason": "the same site as the pickup"})
    if not actor.is_admin and not actor.in_scope(*(s.county_adcode for s in sites.values())):
        raise Forbidden("outside_jurisdiction", {"counties": sorted({s.county_adcode for s in sites.values()})})
    line = _line(geojson)
    if datum == "gcj02":
        line = shapely.transform(line, gcj02_coords_to_wgs84)
    ewkt = f"SRID=4326;{line.wkt}"
    length, start_m, end_m = (
        await session.execute(
            text(
                """SELECT ST_Length(CAST(:g AS geography)),
                          ST_Distance(ST_StartPoint(CAST(:g AS geometry))::geography, p.location::geography),
                          ST_Distance(ST_EndPoint(CAST(:g AS geometry))::geography, r.location::geography)
                   FROM site p, site r WHERE p.id = :p AND r.id = :r"""
            ),
            {"g": ewkt, "p": pickup_site_id, "r": receiver_site_id},
        )
    ).one()
    for end, d in (("start", start_m), ("end", end_m)):
        if float(d) > far_km * 1000:
            raise Invalid("route_far_from_site", {"end": end, "distance_km": f"{float(d) / 1000:.1f}", "max_km": far_km})
    route = ApprovedRoute(
        pickup_site_id=pickup_site_id,
        receiver_site_id=receiver_site_id,
        geom=ewkt,
        length_m=float(length),
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        approved_by=actor.user_id,
    )
    session.add(route)
    await session.flush()
    return route


_LIST = text(
    """SELECT r.id, r.pickup_site_id, p.name AS pickup_site, r.receiver_site_id, s.name AS receiver_site,
              r.length_m, r.valid_from, r.valid_to, r.note, ST_AsGeoJSON(r.geom, 6) AS g
       FROM approved_route r JOIN site p ON p.id = r.pickup_site_id JOIN site s ON s.id = r.receiver_site_id
       WHERE (CAST(:all AS boolean) OR p.county_adcode = ANY(:counties) OR s.county_adcode = ANY(:counties)
              OR p.organisation_id = :org OR s.organisation_id = :org
              OR EXISTS (SELECT 1 FROM manifest m
                         WHERE m.pickup_site_id = r.pickup_site_id AND m.receiver_site_id = r.receiver_site_id
                           AND (m.carrier_org_id = :org OR (cardinality(m.handover_carrier_org_ids) > 0
                                                                    AND m.handover_carrier_org_ids @> ARRAY[CAST(:org AS uuid)]))
                           AND m.status NOT IN ('draft', 'deleted')))
         AND (CAST(:on AS date) IS NULL OR (r.valid_from <= :on AND (r.valid_to IS NULL OR r.valid_to >= :on)))
       ORDER BY p.name, s.name, r.valid_from DESC"""
)


async def list_routes(session: AsyncSession, actor: Principal, on: date | None = None) -> dict[str, Any]:
    """The routes the actor may read, as GeoJSON: a regulator those touching its counties, an
    enterprise those from or to its own sites, a carrier (and its drivers) those of the pairs it
    carries for."""
    rows = await session.execute(
        _LIST,
        {
            "all": actor.is_admin,
            "counties": sorted(actor.county_scope or []) if actor.is_regulator else [],
            "org": actor.organisation_id,
            "on": on,
        },
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": str(r.id),
                "geometry": json.loads(r.g),
                "properties": {
                    "pickup_site_id": str(r.pickup_site_id),
                    "pickup_site": r.pickup_site,
                    "receiver_site_id": str(r.receiver_site_id),
                    "receiver_site": r.receiver_site,
                    "length_km": round(r.length_m / 1000, 1),
                    "valid_from": str(r.valid_from),
                    "valid_to": str(r.valid_to) if r.valid_to else None,
                    "note": r.note,
                },
            }
            for r in rows
        ],
    }


async def retire(session: AsyncSession, actor: Principal, route_id: uuid.UUID, on: date) -> ApprovedRoute:
    """A route no longer in force from ``on`` (kept, so the alerts judged against it stay explained)."""
    if not (actor.is_admin or actor.is_regulator):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": actor.role})
    r = await session.get(ApprovedRoute, route_id)
    ends = [await session.get(Site, r.pickup_site_id), await session.get(Site, r.receiver_site_id)] if r else []
    if r is None or not actor.in_scope(*(s.county_adcode for s in ends if s)):
        raise NotFound("approved_route", route_id)
    r.valid_to = max(on, r.valid_from)
    await session.flush()
    return r
