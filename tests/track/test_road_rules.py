"""The road rules on real journeys: each fires where it must and stays silent on a normal trip."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World
from waste_tracker import clock
from waste_tracker.rules.sweep import run_sweep

T0 = clock.at(2026, 11, 18, 9, 0)
ROAD = {"track_gap", "stop_away_from_site", "off_corridor", "impossible_movement"}


def _line(
    a: tuple[float, float], b: tuple[float, float], start: datetime, minutes: float, every_s: int = 30
) -> list[tuple[datetime, float, float]]:
    n = int(minutes * 60 / every_s)
    return [
        (start + timedelta(seconds=i * every_s), a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n)
        for i in range(1, n + 1)
    ]


async def _journey(
    client, flow: Flow, world: World, legs: list[tuple[datetime, float, float]] | None, arrive_min: float
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Pick up at T0, send ``legs`` (time, lon, lat), drop off at the receiver ``arrive_min`` later."""
    with clock.frozen(T0) as clk:
        m = await flow.submitted()
        r = await flow.scan(m, "pickup", f.POINTS[330402], device_time=clock.local(T0).isoformat())  # picked up now
        assert r.status_code == 201, r.text
        clk.set(T0 + timedelta(minutes=arrive_min))
        if legs:
            pts = [{"recorded_at": t.isoformat(), "lon": lon, "lat": lat, "accuracy_m": 8} for t, lon, lat in legs]
            for i in range(0, len(pts), 500):
                r = await client.post(
                    f"/api/v1/tracks/{m['id']}/points", json={"points": pts[i : i + 500]}, headers=f.auth(world.driver)
                )
                assert r.status_code == 201, r.text
        r = await flow.scan(m, "dropoff", tuple(m["receiver"]["location"]["coordinates"]))
        assert r.status_code == 201, r.text
    return m


def _ends(m: dict[str, Any]) -> tuple[tuple[float, float], tuple[float, float]]:
    return f.POINTS[330402], tuple(m["receiver"]["location"]["coordinates"])  # type: ignore[return-value]


async def test_a_normal_trip_raises_nothing(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    rcv = tuple((await flow.create())["receiver"]["location"]["coordinates"])
    m = await _journey(client, flow, world, _line(f.POINTS[330402], rcv, T0, 40), 41)  # type: ignore[arg-type]
    assert not ROAD & set(await alerts_of(session, m["id"]))


async def test_gap_stop_and_detour(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    a = f.POINTS[330402]
    rcv: tuple[float, float] = tuple((await flow.create())["receiver"]["location"]["coordinates"])  # type: ignore[assignment]
    mid = ((a[0] + rcv[0]) / 2 + 0.16, (a[1] + rcv[1]) / 2)  # ~15 km east of the line: a field, not a site
    legs = _line(a, mid, T0, 20)
    stand = [(T0 + timedelta(minutes=20, seconds=30 * i), mid[0] + 0.00001 * (i % 3), mid[1]) for i in range(1, 61)]  # 30 min
    back = _line(mid, rcv, T0 + timedelta(minutes=50), 20)
    late = [p for p in back if p[0] > T0 + timedelta(minutes=60)]  # then 10 minutes of nothing, then a 25-minute hole
    late = [p for p in late if not (T0 + timedelta(minutes=62) < p[0] < T0 + timedelta(minutes=68))]
    m = await _journey(client, flow, world, legs + stand + late[:3] + [(T0 + timedelta(minutes=95), rcv[0], rcv[1])], 96)
    fired = await alerts_of(session, m["id"])
    assert {"track_gap", "stop_away_from_site", "off_corridor"} <= set(fired), set(fired)
    stop = fired["stop_away_from_site"].evidence["stops"][0]
    assert stop["county"] is not None and float(stop["minutes"]) >= 20 and stop["place"]["type"] == "Point"
    gap = fired["track_gap"].evidence["gaps"][0]
    assert float(gap["minutes"]) > 15
    assert float(fired["off_corridor"].evidence["farthest_km"]) > 10
    assert "impossible_movement" not in fired


async def test_impossible_movement(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _journey(client, flow, world, None, 2)  # 20 km in two minutes, no track at all
    e = (await alerts_of(session, m["id"]))["impossible_movement"].evidence
    assert float(e["kmh"]) > 150 and e["from"]["type"] == "Point"


async def test_track_silent_while_in_transit(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(T0) as clk:
        m = await flow.submitted()
        await flow.scan(m, "pickup", f.POINTS[330402])
        clk.set(T0 + timedelta(minutes=5))
        pts = [{"recorded_at": (T0 + timedelta(minutes=k)).isoformat(), "lon": 120.80, "lat": 30.72} for k in (1, 2, 3)]
        await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": pts}, headers=f.auth(world.driver))
        await run_sweep(session, T0 + timedelta(minutes=20))
        assert "track_silent" not in await alerts_of(session, m["id"])
        await run_sweep(session, T0 + timedelta(minutes=40))
        a = (await alerts_of(session, m["id"]))["track_silent"]
        assert a.evidence["last_position"]["coordinates"] == [120.8, 30.72] and a.status == "open"
        clk.set(T0 + timedelta(minutes=41))
        later = [{"recorded_at": (T0 + timedelta(minutes=41)).isoformat(), "lon": 120.79, "lat": 30.73}]
        await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": later}, headers=f.auth(world.driver))
        await run_sweep(session, T0 + timedelta(minutes=45))
        assert (await alerts_of(session, m["id"]))["track_silent"].status == "auto_resolved"


async def test_a_stop_at_a_parking_site_is_no_stop_away(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    a = f.POINTS[330402]
    rcv: tuple[float, float] = tuple((await flow.create())["receiver"]["location"]["coordinates"])  # type: ignore[assignment]
    mid = ((a[0] + rcv[0]) / 2, (a[1] + rcv[1]) / 2)
    other = await f.site(session, org=world.general_receiver, county=330411, at=mid)  # somebody else's factory
    legs = _line(a, mid, T0, 15)
    stand = [(T0 + timedelta(minutes=15, seconds=30 * i), mid[0], mid[1] + 0.00001 * (i % 2)) for i in range(1, 61)]
    back = _line(mid, rcv, T0 + timedelta(minutes=45), 15)
    m = await _journey(client, flow, world, legs + stand + back, 61)
    e = (await alerts_of(session, m["id"]))["stop_away_from_site"].evidence
    assert e["stops"][0]["minutes"] and e["stops"][0]["nearest_site"] != other.name  # a factory is no place to stand
    await session.execute(text("UPDATE site SET kind = 'parking' WHERE id = :s"), {"s": other.id})
    m2 = await _journey(client, flow, world, legs + stand + back, 61)
    assert "stop_away_from_site" not in await alerts_of(session, m2["id"])
