"""Tracks: batches from the phone or a terminal, idempotent, late and out of order, points outside
the journey kept apart, who may send, bad input, append-only monthly partitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World
from waste_tracker import clock
from waste_tracker.auth.service import create_api_key, principal_for
from waste_tracker.config import Settings
from waste_tracker.track.analysis import Fix, gaps, stops


def _points(
    start: datetime, n: int, step_s: int = 30, lon: float = 120.812, lat: float = 30.719, dlon: float = 0.001
) -> list[dict[str, Any]]:
    return [
        {
            "recorded_at": (start + timedelta(seconds=i * step_s)).isoformat(),
            "lon": lon + i * dlon,
            "lat": lat,
            "accuracy_m": 8,
            "speed_kmh": 40,
        }
        for i in range(n)
    ]


async def _picked_up(flow: Flow) -> dict[str, Any]:
    m = await flow.submitted()
    r = await flow.scan(m, "pickup", f.POINTS[330402])
    assert r.status_code == 201, r.text
    return m


async def test_batches_are_idempotent_late_and_kept_apart(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _picked_up(flow)
    url = f"/api/v1/tracks/{m['id']}/points"
    t0 = clock.now() + timedelta(seconds=5)
    first = _points(t0, 6)
    r = await client.post(url, json={"points": first}, headers=f.auth(world.driver))
    assert r.status_code == 201 and r.json() == {
        "received": 6,
        "added": 6,
        "duplicates": 0,
        "outside_window": 0,
        "source": "phone",
    }
    r = await client.post(url, json={"points": first}, headers=f.auth(world.driver))  # re-sent
    assert r.json()["added"] == 0 and r.json()["duplicates"] == 6
    # Late and out of order (from a tunnel), plus one taken before the pickup.
    late = list(reversed(_points(t0 + timedelta(minutes=3), 4, lon=120.9)))
    before = _points(clock.now() - timedelta(hours=1), 1)
    r = await client.post(url, json={"points": late + before}, headers=f.auth(world.driver))
    assert r.json()["added"] == 5 and r.json()["outside_window"] == 1
    track = (await client.get(f"/api/v1/tracks/{m['id']}", headers=f.auth(world.nanhu_regulator))).json()
    (line,) = [x for x in track["features"] if x["properties"]["kind"] == "track"]
    assert track["points"] == 10 and track["outside_window"] == 1
    coords = line["geometry"]["coordinates"]
    assert len(coords) == 10 and coords == sorted(coords)  # in time order, lon/lat
    partitions = (await session.execute(text("SELECT DISTINCT tableoid::regclass::text FROM track_point"))).scalars().all()
    assert partitions and all(p.startswith("track_point_y") for p in partitions)  # this month's, not the default


async def test_who_may_send(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    url = f"/api/v1/tracks/{m['id']}/points"
    body = {"points": _points(clock.now(), 2)}
    r = await client.post(url, json=body, headers=f.auth(world.driver))
    assert (r.status_code, r.json()["code"]) == (409, "manifest_not_in_transit")
    await flow.scan(m, "pickup", f.POINTS[330402])
    for user, status, code in (
        (world.other_driver, 404, "not_found"),
        (world.rcv_user, 403, "not_your_load"),
        (world.gen_user, 403, "not_your_load"),
        (world.nanhu_regulator, 403, "not_your_load"),
    ):
        r = await client.post(url, json=body, headers=f.auth(user))
        assert (r.status_code, r.json()["code"]) == (status, code), user.username
    # The carrier's platform, with the carrier's API key: a terminal.
    p = await principal_for(session, world.carrier_user, Settings(env="test"))
    _, secret = await create_api_key(session, p, "JT/T 808 gateway")
    r = await client.post(url, json=body, headers={"X-API-Key": secret})
    assert r.status_code == 201 and r.json()["source"] == "terminal"


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda ps: ps[1].update(lon=200), 422, "validation_error"),
        (lambda ps: ps[1].update(recorded_at="2026-12-01T10:00:00"), 422, "validation_error"),
        (lambda ps: ps[1].update(recorded_at=(clock.now() + timedelta(hours=2)).isoformat()), 422, "point_in_future"),
        (lambda ps: ps[1].update(recorded_at=(clock.now() - timedelta(days=30)).isoformat()), 422, "point_too_old"),
        (lambda ps: ps.extend(_points(clock.now(), 1000)), 422, "validation_error"),
    ],
)
async def test_bad_points_write_nothing(
    client, session: AsyncSession, world: World, flow: Flow, mutate, status: int, code: str
) -> None:  # type: ignore[no-untyped-def]
    m = await _picked_up(flow)
    ps = _points(clock.now(), 3)
    mutate(ps)
    r = await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": ps}, headers=f.auth(world.driver))
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert (await session.execute(text("SELECT count(*) FROM track_point"))).scalar() == 0


async def test_a_huge_batch_is_refused_at_the_door(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _picked_up(flow)
    ps = _points(clock.now(), 100_000, step_s=1)
    r = await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": ps}, headers=f.auth(world.driver))
    assert r.status_code == 413


async def test_points_are_append_only(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _picked_up(flow)
    await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": _points(clock.now(), 2)}, headers=f.auth(world.driver))
    for sql in ("UPDATE track_point SET lon = 0", "DELETE FROM track_point"):
        with pytest.raises(DBAPIError, match="permission denied|append-only"):
            async with session.begin_nested():
                await session.execute(text(sql))


async def test_partitions_are_made_ahead(session: AsyncSession) -> None:
    from waste_tracker.track.service import ensure_partitions

    await ensure_partitions(session, months=6)
    names = set((await session.execute(text("SELECT relname FROM pg_class WHERE relname LIKE 'track_point_y%'"))).scalars())
    today = clock.today()
    ahead = (today.replace(day=1) + timedelta(days=32 * 5)).replace(day=1)
    assert f"track_point_y{ahead:%Y}m{ahead:%m}" in names
    assert await ensure_partitions(session, months=6) == 0  # idempotent


def test_stops_and_gaps() -> None:
    t = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    moving = [Fix(t + timedelta(minutes=i), 120.80 + i * 0.01, 30.7) for i in range(5)]
    standing = [Fix(t + timedelta(minutes=5 + i), 120.85 + i * 0.0001, 30.7) for i in range(15)]
    after = [Fix(t + timedelta(minutes=40), 120.9, 30.7)]
    fixes = moving + standing + after
    (s,) = stops(fixes)
    assert s.points == 15 and s.minutes == 14
    (g,) = gaps(fixes)
    assert g.minutes == 21 and (g.from_lon, g.to_lon) == (standing[-1].lon, 120.9)


def test_a_burst_of_points_is_thinned() -> None:
    from waste_tracker.track.analysis import thin

    t = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    burst = [Fix(t + timedelta(milliseconds=i), 120.8 + i * 1e-7, 30.7) for i in range(20_000)]  # 20 s of 1 ms points
    kept = thin(burst, 5)
    assert len(kept) == 5 and kept[-1] == burst[-1]
    assert stops(kept) == [] and gaps(kept) == []
