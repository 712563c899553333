"""Jurisdictions: import of boundaries, lookup of the county that covers a point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.errors import Invalid, NotFound
from waste_tracker.geo.boundaries import Boundary

# Regulators' scopes (level and counties under a jurisdiction), cached by auth.service: reference
# data that changes only with an import of boundaries, which clears it.
SCOPE_TTL_SECONDS = 60.0
SCOPE_CACHE: dict[int, tuple[float, str, frozenset[int]]] = {}


@dataclass(frozen=True)
class CountyHit:
    county_adcode: int
    city_adcode: int
    name: str


async def upsert_boundaries(session: AsyncSession, boundaries: list[Boundary], source: str) -> int:
    """Insert or update jurisdictions (parents first). Idempotent."""
    order = {"province": 0, "city": 1, "county": 2}
    stmt = text(
        """
        INSERT INTO jurisdiction (adcode, level, parent_adcode, name, name_en, geom, source)
        VALUES (:adcode, :level, :parent, :name, :name_en, ST_Multi(ST_GeomFromText(:wkt, 4326)), :source)
        ON CONFLICT (adcode) DO UPDATE SET
            level = EXCLUDED.level, parent_adcode = EXCLUDED.parent_adcode, name = EXCLUDED.name,
            name_en = EXCLUDED.name_en, geom = EXCLUDED.geom, source = EXCLUDED.source
        WHERE (jurisdiction.level, jurisdiction.parent_adcode, jurisdiction.name, jurisdiction.name_en,
               jurisdiction.source)
              IS DISTINCT FROM (EXCLUDED.level, EXCLUDED.parent_adcode, EXCLUDED.name, EXCLUDED.name_en,
               EXCLUDED.source)
           OR NOT ST_Equals(jurisdiction.geom, EXCLUDED.geom)
        """
    )
    known = set((await session.execute(text("SELECT adcode FROM jurisdiction"))).scalars())
    count = 0
    for b in sorted(boundaries, key=lambda b: order[b.level]):
        parent = b.parent_adcode if (b.parent_adcode in known or any(x.adcode == b.parent_adcode for x in boundaries)) else None
        await session.execute(
            stmt,
            {
                "adcode": b.adcode,
                "level": b.level,
                "parent": parent,
                "name": b.name,
                "name_en": b.name_en,
                "wkt": b.geom.wkt,
                "source": source,
            },
        )
        known.add(b.adcode)
        count += 1
    SCOPE_CACHE.clear()
    return count


async def locate_county(session: AsyncSession, lon: float, lat: float) -> CountyHit | None:
    """The county whose (WGS-84) polygon covers the point, or None."""
    row = (
        await session.execute(
            text(
                """
        SELECT c.adcode, c.parent_adcode, c.name FROM jurisdiction c
        WHERE c.level = 'county'
          AND ST_Covers(c.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
        ORDER BY c.adcode LIMIT 1
        """
            ),
            {"lon": lon, "lat": lat},
        )
    ).first()
    if row is None:
        return None
    return CountyHit(county_adcode=row[0], city_adcode=row[1], name=row[2])


async def require_county(session: AsyncSession, lon: float, lat: float) -> CountyHit:
    hit = await locate_county(session, lon, lat)
    if hit is None:
        raise Invalid("location_outside_jurisdictions", {"lon": lon, "lat": lat})
    return hit


async def get_jurisdiction(session: AsyncSession, adcode: int, with_geometry: bool = False) -> dict[str, Any]:
    geom_sql = ", ST_AsGeoJSON(geom, 6)::json AS geometry" if with_geometry else ""
    row = (
        (
            await session.execute(
                text(
                    f"""SELECT adcode, level, parent_adcode, name, name_en,
                   ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat,
                   ST_Area(geom::geography) / 1e6 AS area_km2 {geom_sql}
            FROM jurisdiction WHERE adcode = :a"""
                ),
                {"a": adcode},
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("jurisdiction", adcode)
    return dict(row)


async def list_jurisdictions(
    session: AsyncSession, level: str | None = None, parent: int | None = None, with_geometry: bool = False
) -> list[dict[str, Any]]:
    geom_sql = ", ST_AsGeoJSON(geom, 6)::json AS geometry" if with_geometry else ""
    rows = (
        (
            await session.execute(
                text(
                    f"""SELECT adcode, level, parent_adcode, name, name_en,
                   ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat,
                   ST_Area(geom::geography) / 1e6 AS area_km2 {geom_sql}
            FROM jurisdiction
            WHERE (CAST(:level AS text) IS NULL OR level = :level)
              AND (CAST(:parent AS integer) IS NULL OR parent_adcode = :parent)
            ORDER BY adcode"""
                ),
                {"level": level, "parent": parent},
            )
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]


async def counties_under(session: AsyncSession, adcode: int) -> frozenset[int]:
    """Every county at or below a jurisdiction (a county is its own scope)."""
    rows = (
        (
            await session.execute(
                text(
                    """
        WITH RECURSIVE tree AS (
            SELECT adcode, level FROM jurisdiction WHERE adcode = :a
            UNION ALL
            SELECT j.adcode, j.level FROM jurisdiction j JOIN tree t ON j.parent_adcode = t.adcode
        )
        SELECT adcode FROM tree WHERE level = 'county'
        """
                ),
                {"a": adcode},
            )
        )
        .scalars()
        .all()
    )
    return frozenset(rows)


async def jurisdiction_level(session: AsyncSession, adcode: int) -> str:
    level = (await session.execute(text("SELECT level FROM jurisdiction WHERE adcode = :a"), {"a": adcode})).scalar()
    if level is None:
        raise Invalid("unknown_jurisdiction", {"adcode": adcode})
    return str(level)
