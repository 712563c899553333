"""The base map of the web app's maps, drawn from our own boundaries (no tile server): every
county-level unit we hold and every city, simplified for the screen, as one GeoJSON
FeatureCollection with a label point per feature."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Degrees: ~150 m for counties (Jiaxing's are drawn at street scale), ~500 m for whole cities.
COUNTY_TOLERANCE = 0.0015
CITY_TOLERANCE = 0.005

_SQL = text(
    """SELECT adcode, level, parent_adcode, name, name_en,
              ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, CASE WHEN level = 'county' THEN :ct ELSE :yt END), 4) AS g,
              ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
       FROM jurisdiction WHERE level IN ('city', 'county') ORDER BY level DESC, adcode"""
)


async def basemap(session: AsyncSession) -> dict[str, Any]:
    rows = (await session.execute(_SQL, {"ct": COUNTY_TOLERANCE, "yt": CITY_TOLERANCE})).mappings().all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(r["g"]),
                "properties": {
                    "adcode": r["adcode"],
                    "level": r["level"],
                    "parent_adcode": r["parent_adcode"],
                    "name": r["name"],
                    "name_en": r["name_en"],
                    "label": [round(r["lon"], 5), round(r["lat"], 5)],
                },
            }
            for r in rows
        ],
    }
