"""The road rules: what a load's track says once it is dropped off (event rules, judged on the
whole journey in the drop-off's transaction), and a truck gone silent while in transit (a time
rule). Their thresholds are in the rules catalogue; the shapes (stops, gaps, the corridor,
speeds) are computed by ``track.analysis``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from waste_tracker.geo.distance import haversine_m
from waste_tracker.track.analysis import Fix, driven_m, fastest, gaps, off_path_m, stops, thin
from waste_tracker.track.tickets import MATCH_SQL

if TYPE_CHECKING:
    from waste_tracker.rules.events import _Event

# One point per 5-second slot (thinned again in Python): a flood of points cannot slow a drop-off.
_TRACK = text(
    """SELECT recorded_at, lon, lat FROM (
           SELECT DISTINCT ON (floor(extract(epoch FROM recorded_at) / 5)) recorded_at, lon, lat
           FROM track_point WHERE manifest_id = :m AND in_window
           ORDER BY floor(extract(epoch FROM recorded_at) / 5), recorded_at) p
       ORDER BY recorded_at"""
)
_SCANS = text(
    """SELECT type, server_time, COALESCE(device_time, server_time) AS at, ST_X(location) AS lon, ST_Y(location) AS lat
       FROM manifest_event WHERE manifest_id = :m AND type IN ('picked_up', 'handed_over', 'dropped_off')
         AND location IS NOT NULL
       ORDER BY seq"""
)
# For each stop: the nearest place a truck may stand (a parking, transit or collection site, or
# the load's own generator or receiver) and the county it is in (one round trip for all stops).
_STOP_PLACES = text(
    """SELECT s.i, n.id AS site_id, n.name AS site, n.d AS site_m, c.adcode AS county, c.name AS county_name
       FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[])) WITH ORDINALITY AS s(lon, lat, i)
       CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS g) p
       LEFT JOIN LATERAL (SELECT x.id, x.name, ST_Distance(x.location::geography, p.g::geography) AS d
                          FROM site x WHERE x.kind IN ('parking', 'transit', 'collection') OR x.id = ANY(:own)
                          ORDER BY x.location <-> p.g LIMIT 1) n ON true
       LEFT JOIN LATERAL (SELECT j.adcode, j.name FROM jurisdiction j WHERE j.level = 'county' AND ST_Covers(j.geom, p.g)
                          ORDER BY j.adcode LIMIT 1) c ON true
       ORDER BY s.i"""
)


def _pt(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


async def track_rules(c: _Event) -> None:
    """At the drop-off: gaps, stops away from any registered site, the corridor, impossible
    movement — each an alert with its evidence, on the journey's points (kept-apart ones aside)."""
    s = c.settings
    if not any(
        s[r].enabled
        for r in ("track_gap", "stop_away_from_site", "off_corridor", "impossible_movement", "protected_zone_entered")
    ):
        return
    m = c.m
    fixes = thin([Fix(r.recorded_at, r.lon, r.lat) for r in (await c.session.execute(_TRACK, {"m": m.id})).all()])
    scans = (await c.session.execute(_SCANS, {"m": m.id})).mappings().all()
    pickup = next((x for x in scans if x["type"] == "picked_up"), None)
    dropoff = next((x for x in reversed(scans) if x["type"] == "dropped_off"), None)
    await _impossible(c, fixes, pickup, dropoff)
    await _zones(c, fixes)
    if not fixes:
        return  # no track: the carrier did not record one (nothing more to judge)
    if s["track_gap"].enabled:
        t = s["track_gap"].thresholds
        ends = [Fix(m.picked_up_at, fixes[0].lon, fixes[0].lat)] if m.picked_up_at else []
        tail = [Fix(c.ev.server_time, fixes[-1].lon, fixes[-1].lat)]
        # A handover scan is a position too: a load waiting at the station until it is taken over.
        handovers = [Fix(x["at"], x["lon"], x["lat"]) for x in scans if x["type"] == "handed_over"]
        journey = sorted(fixes + handovers, key=lambda f: f.at)
        found = await _unexcused(c, gaps(ends + journey + tail, float(t["minutes"])))
        if found:
            await c.fire(
                "track_gap",
                {
                    "gaps": [
                        {
                            "start": g.start.isoformat(),
                            "end": g.end.isoformat(),
                            "minutes": f"{g.minutes:.0f}",
                            "from": _pt(g.from_lon, g.from_lat),
                            "to": _pt(g.to_lon, g.to_lat),
                        }
                        for g in found[:20]
                    ],
                    "threshold_minutes": t["minutes"],
                    "points": len(fixes),
                },
                {"gaps": [g.start.isoformat() for g in found]},
            )
    if s["stop_away_from_site"].enabled:
        t = s["stop_away_from_site"].thresholds
        found_stops = stops(fixes, float(t["radius_m"]), float(t["minutes"]))
        if found_stops:
            places = (
                (
                    await c.session.execute(
                        _STOP_PLACES,
                        {
                            "lon": [x.lon for x in found_stops],
                            "lat": [x.lat for x in found_stops],
                            "own": _places_to_stand(m),
                        },
                    )
                )
                .mappings()
                .all()
            )
            away = [
                (st, pl)
                for st, pl in zip(found_stops, places, strict=True)
                if pl["site_m"] is None or float(pl["site_m"]) > c.geofence_m
            ]
            if away:
                await c.fire(
                    "stop_away_from_site",
                    {
                        "stops": [
                            {
                                "place": _pt(st.lon, st.lat),
                                "start": st.start.isoformat(),
                                "end": st.end.isoformat(),
                                "minutes": f"{st.minutes:.0f}",
                                "county": pl["county"],
                                "county_name": pl["county_name"],
                                "nearest_site": pl["site"],
                                "nearest_site_m": f"{float(pl['site_m']):.0f}" if pl["site_m"] else None,
                            }
                            for st, pl in away[:20]
                        ],
                        "threshold_minutes": t["minutes"],
                        "radius_m": t["radius_m"],
                    },
                    {"stops": [st.start.isoformat() for st, _ in away]},
                )
    if s["off_corridor"].enabled and pickup is not None and dropoff is not None:
        await _corridor(c, fixes, (pickup["lon"], pickup["lat"]), (dropoff["lon"], dropoff["lat"]))


# The route a regulator approved for this pickup and receiver site, in force on the day (the newest
# wins), and the farthest of the journey's points from it (PostGIS geography: metres on the spheroid).
_ROUTE = text(
    """WITH r AS (SELECT id, geom, length_m, note FROM approved_route
                 WHERE pickup_site_id = :p AND receiver_site_id = :r
                   AND valid_from <= :on AND (valid_to IS NULL OR valid_to >= :on)
                 ORDER BY valid_from DESC, created_at DESC LIMIT 1)
       SELECT r.id, r.length_m, r.note, f.i, f.d FROM r
       LEFT JOIN LATERAL (
           SELECT s.i, ST_Distance(r.geom::geography, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)::geography) AS d
           FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[])) WITH ORDINALITY AS s(lon, lat, i)
           ORDER BY d DESC LIMIT 1) f ON true"""
)
_SITES_AT = text("SELECT id, ST_X(location) AS lon, ST_Y(location) AS lat FROM site WHERE id = ANY(:ids)")


async def _corridor(c: _Event, fixes: list[Fix], a: tuple[float, float], b: tuple[float, float]) -> None:
    """How far the journey strayed: from the approved route when one is registered for the pair,
    else from the straight path through the handover sites (just a→b with one carrier); and how
    much farther it drove than that path."""
    m, t = c.m, c.settings["off_corridor"].thresholds
    route = (
        await c.session.execute(
            _ROUTE,
            {
                "p": m.pickup_site_id,
                "r": m.receiver_site_id,
                "on": c.on,
                "lon": [f.lon for f in fixes],
                "lat": [f.lat for f in fixes],
            },
        )
    ).first()
    basis: dict[str, Any]
    if route is not None:
        worst, at = float(route.d or 0), fixes[int(route.i) - 1] if route.i else None
        expected = float(route.length_m)
        basis = {"against": "approved_route", "route_id": str(route.id), "route_km": f"{expected / 1000:.1f}"}
    else:
        path = [a]
        if m.handover_site_ids:
            at_sites = {r.id: (r.lon, r.lat) for r in await c.session.execute(_SITES_AT, {"ids": list(m.handover_site_ids)})}
            path += [at_sites[i] for i in m.handover_site_ids if i in at_sites]
        path.append(b)
        worst, at = off_path_m(fixes, path)
        expected = sum(haversine_m(*p, *q) for p, q in zip(path, path[1:], strict=False))
        basis = {"against": "handover_sites" if len(path) > 2 else "straight_line"}
    straight = haversine_m(*a, *b)
    driven = driven_m(fixes)
    ratio = driven / expected if expected > 1000 else None
    if worst > float(t["km"]) * 1000 or (ratio is not None and ratio > float(t["factor"])):
        await c.fire(
            "off_corridor",
            {
                **basis,
                "farthest_km": f"{worst / 1000:.1f}",
                "farthest": _pt(at.lon, at.lat) if at else None,
                "straight_km": f"{straight / 1000:.1f}",
                "expected_km": f"{expected / 1000:.1f}",
                "driven_km": f"{driven / 1000:.1f}",
                "ratio": f"{ratio:.2f}" if ratio is not None else None,
                "threshold_km": t["km"],
                "factor": t["factor"],
            },
            {"farthest_km": f"{worst / 1000:.0f}", "driven_km": f"{driven / 1000:.0f}"},
        )


def _places_to_stand(m: Any) -> list[Any]:
    """The sites a load's truck may stand at besides parking, transit and collection sites: its own
    generator, pickup and receiver sites, and its handover sites."""
    return [m.generator_site_id, m.pickup_site_id, m.receiver_site_id, *m.handover_site_ids]


async def _unexcused(c: _Event, found: list[Any]) -> list[Any]:
    """The gaps that count: a gap that starts and ends at the same place a load may be held (a
    transit, collection or parking site, one of the load's own sites or a handover site) is the load
    waiting there; one that ends anywhere else — even at another such site — is a journey unseen."""
    if not found:
        return found
    ends = [(g.from_lon, g.from_lat) for g in found] + [(g.to_lon, g.to_lat) for g in found]
    rows = (
        (
            await c.session.execute(
                _STOP_PLACES,
                {"lon": [x for x, _ in ends], "lat": [y for _, y in ends], "own": _places_to_stand(c.m)},
            )
        )
        .mappings()
        .all()
    )
    site = [r["site_id"] if r["site_m"] is not None and float(r["site_m"]) <= c.geofence_m else None for r in rows]
    n = len(found)
    return [g for i, g in enumerate(found) if site[i] is None or site[i] != site[n + i]]


_ZONES = text(
    """WITH pts AS (
           SELECT recorded_at, lon, lat, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g
           FROM track_point WHERE manifest_id = :m AND in_window),
       stop_pts AS (
           SELECT s.i, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS g, s.minutes
           FROM unnest(CAST(:slon AS float8[]), CAST(:slat AS float8[]), CAST(:smin AS float8[]))
                WITH ORDINALITY AS s(lon, lat, minutes, i))
       SELECT z.id, z.name, z.kind, z.is_example,
              (SELECT count(*) FROM pts WHERE ST_Covers(z.geom, pts.g)) AS inside,
              (SELECT min(recorded_at) FROM pts WHERE ST_Covers(z.geom, pts.g)) AS entered_at,
              (SELECT max(sp.minutes) FROM stop_pts sp
                WHERE ST_DWithin(z.geom::geography, sp.g::geography, :near_m)) AS stop_minutes
       FROM protected_zone z
       WHERE z.valid_from <= :on AND (z.valid_to IS NULL OR z.valid_to >= :on)
         AND (EXISTS (SELECT 1 FROM pts WHERE ST_Covers(z.geom, pts.g))
              OR EXISTS (SELECT 1 FROM stop_pts sp WHERE ST_DWithin(z.geom::geography, sp.g::geography, :near_m)))
       ORDER BY z.name"""
)


async def _zones(c: _Event, fixes: list[Fix]) -> None:
    """Entering a protected zone, or stopping within ``near_m`` of one (Transfer Measures Art. 8)."""
    s = c.settings["protected_zone_entered"]
    if not s.enabled or not fixes:
        return
    t = s.thresholds
    found_stops = stops(fixes, float(c.settings["stop_away_from_site"].thresholds["radius_m"]), float(t["stop_minutes"]))
    rows = (
        (
            await c.session.execute(
                _ZONES,
                {
                    "m": c.m.id,
                    "on": c.on,
                    "near_m": float(t["near_m"]),
                    "slon": [x.lon for x in found_stops],
                    "slat": [x.lat for x in found_stops],
                    "smin": [x.minutes for x in found_stops],
                },
            )
        )
        .mappings()
        .all()
    )
    if rows:
        await c.fire(
            "protected_zone_entered",
            {
                "zones": [
                    {
                        "zone_id": str(r["id"]),
                        "name": r["name"],
                        "kind": r["kind"],
                        "is_example": r["is_example"],
                        "points_inside": int(r["inside"]),
                        "entered_at": r["entered_at"].isoformat() if r["entered_at"] else None,
                        "stop_minutes_nearby": f"{float(r['stop_minutes']):.0f}" if r["stop_minutes"] else None,
                    }
                    for r in rows
                ],
                "near_m": t["near_m"],
            },
            {"zones": [str(r["id"]) for r in rows]},
        )


async def _impossible(c: _Event, fixes: list[Fix], pickup: Any, dropoff: Any) -> None:
    s = c.settings["impossible_movement"]
    if not s.enabled:
        return
    limit = float(s.thresholds["kmh"])
    chain = list(fixes)
    if pickup is not None:
        chain.insert(0, Fix(pickup["at"], pickup["lon"], pickup["lat"]))
    if dropoff is not None:
        chain.append(Fix(dropoff["at"], dropoff["lon"], dropoff["lat"]))
    chain.sort(key=lambda f: f.at)
    v, a, b = fastest(chain)
    if v > limit and a is not None and b is not None:
        await c.fire(
            "impossible_movement",
            {
                "kmh": f"{v:.0f}",
                "threshold_kmh": limit,
                "from": _pt(a.lon, a.lat),
                "to": _pt(b.lon, b.lat),
                "from_at": a.at.isoformat(),
                "to_at": b.at.isoformat(),
                "km": f"{haversine_m(a.lon, a.lat, b.lon, b.lat) / 1000:.1f}",
                "minutes": f"{(b.at - a.at).total_seconds() / 60:.1f}",
            },
            {"from_at": a.at.isoformat(), "to_at": b.at.isoformat()},
        )


# The time rule: a load in transit whose track has gone quiet (it had points, none lately).
TRACK_SILENT_SQL = """
    SELECT 'manifest:' || m.id, m.id, NULL::uuid,
           jsonb_build_object('number', m.number, 'last_point_at', t.last_at, 'threshold_minutes', :minutes,
                              'silent_minutes', floor(extract(epoch FROM (:now - t.last_at)) / 60)::int,
                              'last_position',
                              jsonb_build_object('type', 'Point', 'coordinates', jsonb_build_array(t.lon, t.lat))),
           md5(m.id::text || '|' || t.last_at::text),
           m.generator_county, m.receiver_county, m.generator_org_id, m.receiver_org_id, m.carrier_org_id
    FROM manifest m
    CROSS JOIN LATERAL (SELECT p.recorded_at AS last_at, p.lon, p.lat FROM track_point p
                        WHERE p.manifest_id = m.id AND p.in_window ORDER BY p.recorded_at DESC LIMIT 1) t
    WHERE m.status = 'in_transit' AND t.last_at < :now - make_interval(mins => :minutes)
      AND t.last_at > :now - interval '10 days'"""


# Weighbridge tickets (track/tickets.py matches them to manifests by plate, site and time).
WEIGHT_MISMATCH_SQL = f"""
    WITH t AS (
        SELECT w.side, w.net_kg, mm.id AS manifest_id FROM weighbridge_ticket w {MATCH_SQL}
        WHERE mm.id IS NOT NULL AND w.weighed_at > :now - interval '30 days'),
    per AS (
        SELECT manifest_id, max(net_kg) FILTER (WHERE side = 'generator') AS gen_kg,
               max(net_kg) FILTER (WHERE side = 'receiver') AS rcv_kg
        FROM t GROUP BY manifest_id)
    SELECT 'manifest:' || m.id, m.id, NULL::uuid,
           jsonb_build_object('number', m.number, 'generator_ticket_kg', per.gen_kg::text,
                              'receiver_ticket_kg', per.rcv_kg::text, 'declared_kg', m.declared_kg::text,
                              'difference_kg', (x.hi - x.lo)::text, 'tolerance_percent', :percent, 'tolerance_kg', :kg),
           md5(m.id::text || '|' || COALESCE(per.gen_kg::text, '') || '|' || COALESCE(per.rcv_kg::text, '')),
           m.generator_county, m.receiver_county, m.generator_org_id, m.receiver_org_id, m.carrier_org_id
    FROM per JOIN manifest m ON m.id = per.manifest_id
    CROSS JOIN LATERAL (SELECT greatest(per.gen_kg, per.rcv_kg, m.declared_kg) AS hi,
                               least(per.gen_kg, per.rcv_kg, m.declared_kg) AS lo) x
    WHERE x.hi - x.lo > :kg AND (x.hi - x.lo) * 100 > :percent * x.hi"""

UNMATCHED_TICKET_SQL = f"""
    SELECT 'ticket:' || w.id, NULL::uuid, NULL::uuid,
           jsonb_build_object('ticket_id', w.id, 'site_id', w.site_id, 'plate', w.plate, 'net_kg', w.net_kg::text,
                              'weighed_at', w.weighed_at, 'threshold_hours', :hours),
           md5(w.id::text), NULL::integer, w.county_adcode, NULL::uuid, w.organisation_id, NULL::uuid
    FROM weighbridge_ticket w {MATCH_SQL}
    WHERE w.side = 'receiver' AND mm.id IS NULL
      AND w.weighed_at < :now - make_interval(hours => :hours) AND w.weighed_at > :now - interval '30 days'"""
