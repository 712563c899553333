"""Geodesic distance in memory (WGS-84 ellipsoid via Shapely-free Vincenty is overkill here).

PostGIS ``geography`` distances are authoritative in the database; this haversine on the mean
radius is for tests and quick in-memory checks (error < 0.5 % at the distances we care about).
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6371008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
