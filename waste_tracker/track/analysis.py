"""What a track says, in memory and pure: its stops (a truck standing within a radius for a
while) and its gaps (no point for a while). Used to draw the track; the road rules judge the same
shapes in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from waste_tracker.geo.distance import haversine_m


@dataclass(frozen=True)
class Fix:
    at: datetime
    lon: float
    lat: float


@dataclass(frozen=True)
class Stop:
    start: datetime
    end: datetime
    lon: float
    lat: float
    points: int

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class Gap:
    start: datetime
    end: datetime
    from_lon: float
    from_lat: float
    to_lon: float
    to_lat: float

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def thin(fixes: Sequence[Fix], min_seconds: float = 5.0) -> list[Fix]:
    """At most one point per ``min_seconds``: what the shapes below need, and a bound on their
    work whatever a device sends (a phone records every 30 s; a burst of points a millisecond
    apart must not make a drop-off slow)."""
    out: list[Fix] = []
    for f in fixes:
        if not out or (f.at - out[-1].at).total_seconds() >= min_seconds:
            out.append(f)
    if fixes and out[-1] is not fixes[-1]:
        out.append(fixes[-1])  # the last point counts (a gap or a stop ends there)
    return out


def stops(fixes: Sequence[Fix], radius_m: float = 150.0, min_minutes: float = 10.0) -> list[Stop]:
    """Runs of consecutive points all within ``radius_m`` of the run's first point, lasting at
    least ``min_minutes`` (``fixes`` ordered by time)."""
    out: list[Stop] = []
    i = 0
    while i < len(fixes):
        j = i
        while j + 1 < len(fixes) and haversine_m(fixes[i].lon, fixes[i].lat, fixes[j + 1].lon, fixes[j + 1].lat) <= radius_m:
            j += 1
        if j > i and (fixes[j].at - fixes[i].at).total_seconds() >= min_minutes * 60:
            run = fixes[i : j + 1]
            out.append(
                Stop(fixes[i].at, fixes[j].at, sum(f.lon for f in run) / len(run), sum(f.lat for f in run) / len(run), len(run))
            )
            i = j + 1
        else:
            i += 1
    return out


def gaps(fixes: Sequence[Fix], min_minutes: float = 10.0) -> list[Gap]:
    """Consecutive points more than ``min_minutes`` apart."""
    return [
        Gap(a.at, b.at, a.lon, a.lat, b.lon, b.lat)
        for a, b in zip(fixes, fixes[1:], strict=False)
        if (b.at - a.at).total_seconds() > min_minutes * 60
    ]


def driven_m(fixes: Sequence[Fix]) -> float:
    return sum(haversine_m(a.lon, a.lat, b.lon, b.lat) for a, b in zip(fixes, fixes[1:], strict=False))


def off_path_m(fixes: Sequence[Fix], path: Sequence[tuple[float, float]]) -> tuple[float, Fix | None]:
    """The farthest any point is from the path (straight segments through ``path``'s points: the
    pickup, the handover sites, the drop-off), in metres (equirectangular projection around the
    path: exact enough at the scale of a province), and that point."""
    import math

    lat0 = math.radians(sum(p[1] for p in path) / len(path))
    kx, ky = 111_320.0 * math.cos(lat0), 110_540.0
    o = path[0]

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - o[0]) * kx, (lat - o[1]) * ky

    segs = [(xy(*p), xy(*q)) for p, q in zip(path, path[1:], strict=False)] or [(xy(*o), xy(*o))]
    worst, at = 0.0, None
    for f in fixes:
        px, py = xy(f.lon, f.lat)
        d = math.inf
        for (ax, ay), (bx, by) in segs:
            dx, dy = bx - ax, by - ay
            seg2 = dx * dx + dy * dy
            t = 0.0 if seg2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / seg2))
            d = min(d, math.hypot(px - ax - t * dx, py - ay - t * dy))
        if d > worst:
            worst, at = d, f
    return worst, at


def fastest(fixes: Sequence[Fix]) -> tuple[float, Fix | None, Fix | None]:
    """The highest speed (km/h) implied by two consecutive points, and the pair."""
    best, pa, pb = 0.0, None, None
    for a, b in zip(fixes, fixes[1:], strict=False):
        dt = (b.at - a.at).total_seconds()
        if dt <= 0:
            continue
        v = haversine_m(a.lon, a.lat, b.lon, b.lat) / dt * 3.6
        if v > best:
            best, pa, pb = v, a, b
    return best, pa, pb
