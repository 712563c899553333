"""Protected zones: a regulator imports them as GeoJSON; the road rule ``protected_zone_entered``
judges tracks against them.

Coordinates are expected in **WGS-84** (what GNSS and the national standards' data use). A file
made on a Chinese web map (GCJ-02, "火星坐标") is declared as such (``datum`` ``gcj02``) and
converted; nothing can tell one datum from the other by looking, so the importer says which.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid, NotFound
from waste_tracker.geo.boundaries import gcj02_coords_to_wgs84
from waste_tracker.models import ProtectedZone

KINDS = ("drinking_water", "ecological_redline", "other")
MAX_FEATURES = 500
CHINA = (73.0, 3.0, 136.0, 54.0)  # lon/lat box


def _require_regulator(actor: Principal) -> None:
    if not (actor.is_admin or actor.is_regulator):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": actor.role})


def _polygons(doc: Any) -> list[tuple[str | None, MultiPolygon]]:
    """The (name, multipolygon) of each feature of a GeoJSON document; refuses anything else."""
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature", "Polygon", "MultiPolygon"):
        raise Invalid("invalid_geojson", {"reason": "a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon"})
    if doc["type"] == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list) or not feats:
            raise Invalid("invalid_geojson", {"reason": "a FeatureCollection with features"})
    elif doc["type"] == "Feature":
        feats = [doc]
    else:
        feats = [{"type": "Feature", "geometry": doc, "properties": {}}]
    if len(feats) > MAX_FEATURES:
        raise Invalid("validation_error", {"field": "features", "max": MAX_FEATURES})
    out = []
    for i, f in enumerate(feats):
        g = f.get("geometry") if isinstance(f, dict) else None
        if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
            raise Invalid("zone_not_polygon", {"index": i, "type": (g or {}).get("type") if isinstance(g, dict) else None})
        try:
            geom = shape(g)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, GEOSException) as e:
            raise Invalid("invalid_geojson", {"index": i, "reason": str(e)[:200]}) from e
        if not geom.is_valid:
            raise Invalid("invalid_polygon", {"index": i, "reason": explain_validity(geom)[:200]})
        mp = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom]) if isinstance(geom, Polygon) else None
        if mp is None or mp.is_empty:
            raise Invalid("zone_not_polygon", {"index": i})
        lo_x, lo_y, hi_x, hi_y = mp.bounds
        if lo_x < CHINA[0] or lo_y < CHINA[1] or hi_x > CHINA[2] or hi_y > CHINA[3]:
            raise Invalid("zone_out_of_range", {"index": i, "bounds": [round(v, 5) for v in mp.bounds]})
        props = f.get("properties") or {}
        out.append((props.get("name") if isinstance(props.get("name"), str) else None, mp))
    return out


async def import_zones(
    session: AsyncSession,
    actor: Principal,
    geojson: Any,
    *,
    kind: str,
    name: str | None,
    valid_from: date,
    valid_to: date | None,
    datum: str = "wgs84",
    source: str = "",
    is_example: bool = False,
) -> list[ProtectedZone]:
    _require_regulator(actor)
    if kind not in KINDS:
        raise Invalid("validation_error", {"field": "kind", "allowed": list(KINDS)})
    if datum not in ("wgs84", "gcj02"):
        raise Invalid("validation_error", {"field": "datum", "allowed": ["wgs84", "gcj02"]})
    if valid_to is not None and valid_to < valid_from:
        raise Invalid("validation_error", {"field": "valid_to", "reason": "before valid_from"})
    zones = []
    for i, (fname, mp) in enumerate(_polygons(geojson)):
        if datum == "gcj02":
            mp = shapely.transform(mp, gcj02_coords_to_wgs84)
        label = (name or fname or "").strip()
        if not label:
            raise Invalid("zone_name_required", {"index": i})
        z = ProtectedZone(
            name=label[:200],
            kind=kind,
            geom=f"SRID=4326;{mp.wkt}",
            valid_from=valid_from,
            valid_to=valid_to,
            source=source,
            is_example=is_example,
            created_by=actor.user_id,
        )
        session.add(z)
        zones.append(z)
    await session.flush()
    return zones


async def list_zones(session: AsyncSession, on: date | None = None) -> dict[str, Any]:
    """The zones as GeoJSON (every user may read them: they are public areas)."""
    rows = await session.execute(
        text("""SELECT id, name, kind, valid_from, valid_to, source, is_example, ST_AsGeoJSON(geom, 6) AS g
                FROM protected_zone
                WHERE CAST(:on AS date) IS NULL OR (valid_from <= :on AND (valid_to IS NULL OR valid_to >= :on))
                ORDER BY name"""),
        {"on": on},
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": str(r.id),
                "geometry": json.loads(r.g),
                "properties": {
                    "name": r.name,
                    "kind": r.kind,
                    "valid_from": str(r.valid_from),
                    "valid_to": str(r.valid_to) if r.valid_to else None,
                    "source": r.source,
                    "is_example": r.is_example,
                },
            }
            for r in rows
        ],
    }


async def retire(session: AsyncSession, actor: Principal, zone_id: uuid.UUID, on: date) -> ProtectedZone:
    """A zone no longer in force from ``on`` (kept: alerts raised while it was in force stay explained)."""
    _require_regulator(actor)
    z = await session.get(ProtectedZone, zone_id)
    if z is None:
        raise NotFound("protected_zone", zone_id)
    z.valid_to = max(on, z.valid_from)
    await session.flush()
    return z
