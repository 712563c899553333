"""Approved routes: a regulator registers the road for a pair of sites, and ``off_corridor``
judges the pair's journeys against it instead of the straight line."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World
from tests.track.test_road_rules import T0, _journey, _line


def _route(world: World, coords: list[tuple[float, float]], **over: Any) -> dict[str, Any]:
    body = {
        "pickup_site_id": str(world.gen_site.id),
        "receiver_site_id": str(world.rcv_site.id),
        "geojson": {"type": "LineString", "coordinates": [list(c) for c in coords]},
        "valid_from": "2026-01-01",
        "note": "嘉环路〔2026〕12 号：经东侧绕城公路",
    }
    body.update(over)
    return body


def _detour(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return ((a[0] + b[0]) / 2 + 0.16, (a[1] + b[1]) / 2)  # ~15 km east of the straight line


async def test_a_journey_on_its_approved_detour_is_on_the_corridor(
    client, session: AsyncSession, world: World, flow: Flow
) -> None:  # type: ignore[no-untyped-def]
    a = f.POINTS[330402]
    rcv: tuple[float, float] = tuple((await flow.create())["receiver"]["location"]["coordinates"])  # type: ignore[assignment]
    mid = _detour(a, rcv)
    trip = _line(a, mid, T0, 25) + _line(mid, rcv, T0.replace(minute=25), 25)
    m = await _journey(client, flow, world, trip, 51)
    assert "off_corridor" in await alerts_of(session, m["id"])  # against the straight line: 15 km off

    r = await client.post("/api/v1/routes", json=_route(world, [a, mid, rcv]), headers=f.auth(world.city_regulator))
    assert r.status_code == 201, r.text
    assert 30 < r.json()["length_km"] < 45
    m2 = await _journey(client, flow, world, trip, 51)
    assert "off_corridor" not in await alerts_of(session, m2["id"])
    # Leaving the approved road is off the corridor again, measured from the route.
    west = ((a[0] + rcv[0]) / 2 - 0.12, (a[1] + rcv[1]) / 2)
    m3 = await _journey(client, flow, world, _line(a, west, T0, 25) + _line(west, rcv, T0.replace(minute=25), 25), 51)
    e = (await alerts_of(session, m3["id"]))["off_corridor"].evidence
    assert e["against"] == "approved_route" and float(e["farthest_km"]) > 10

    listed = (await client.get("/api/v1/routes", headers=f.auth(world.gen_user))).json()["features"]
    assert [x["properties"]["note"] for x in listed] == ["嘉环路〔2026〕12 号：经东侧绕城公路"]
    assert (await client.get("/api/v1/routes", headers=f.auth(world.other_generator_user))).json()["features"] == []
    # The carrier's drivers read the routes of the pairs they carry for; another carrier's do not.
    assert len((await client.get("/api/v1/routes", headers=f.auth(world.driver))).json()["features"]) == 1
    assert (await client.get("/api/v1/routes", headers=f.auth(world.other_driver))).json()["features"] == []
    r = await client.post(
        f"/api/v1/routes/{listed[0]['id']}/retire", json={"on": "2026-11-01"}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 200
    m4 = await _journey(client, flow, world, trip, 51)
    assert "off_corridor" in await alerts_of(session, m4["id"])  # retired: the straight line again


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"geojson": {"type": "Point", "coordinates": [120.8, 30.7]}}, "route_not_linestring"),
        ({"geojson": {"type": "LineString", "coordinates": [[120.8, 30.7]]}}, "route_not_linestring"),
        ({"geojson": {"type": "LineString", "coordinates": [[30.7, 120.8], [30.8, 120.7]]}}, "route_out_of_range"),
        ({"geojson": {"type": "LineString", "coordinates": [[121.5, 31.2], [121.6, 31.3]]}}, "route_far_from_site"),
    ],
)
async def test_bad_routes_write_nothing(client, session: AsyncSession, world: World, over: dict[str, Any], code: str) -> None:  # type: ignore[no-untyped-def]
    body = _route(world, [f.POINTS[330402], f.POINTS[330411]], **over)
    r = await client.post("/api/v1/routes", json=body, headers=f.auth(world.city_regulator))
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert (await session.execute(text("SELECT count(*) FROM approved_route"))).scalar_one() == 0


async def test_only_a_regulator_of_the_pair_registers(client, world: World) -> None:  # type: ignore[no-untyped-def]
    body = _route(world, [f.POINTS[330402], f.POINTS[330411]])
    r = await client.post("/api/v1/routes", json=body, headers=f.auth(world.gen_user))
    assert r.status_code == 403
    r = await client.post("/api/v1/routes", json=body, headers=f.auth(world.haining_regulator))
    assert r.status_code == 403 and r.json()["code"] == "outside_jurisdiction"
