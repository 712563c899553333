"""Protected zones: import (WGS-84 or GCJ-02), bad files refused whole, and the road rule on
journeys that enter a zone, stop beside one, or keep away."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World
from tests.track.test_road_rules import T0, _journey, _line


def _square(lon: float, lat: float, d: float = 0.01, name: str = "示例水源保护区") -> dict[str, Any]:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _import(geojson: Any, **over: Any) -> dict[str, Any]:
    body = {"geojson": geojson, "kind": "drinking_water", "valid_from": "2026-01-01", "source": "测试"}
    body.update(over)
    return body


async def test_import_and_list(client, world: World) -> None:  # type: ignore[no-untyped-def]
    fc = {"type": "FeatureCollection", "features": [_square(120.75, 30.78), _square(120.9, 30.6, name="示例生态红线")]}
    r = await client.post("/api/v1/zones", json=_import(fc), headers=f.auth(world.city_regulator))
    assert r.status_code == 201 and r.json()["imported"] == 2, r.text
    listed = (await client.get("/api/v1/zones", headers=f.auth(world.driver))).json()
    assert {x["properties"]["name"] for x in listed["features"]} == {"示例水源保护区", "示例生态红线"}
    # The same square declared GCJ-02 lands a few hundred metres away in WGS-84 (the datum shift).
    r = await client.post(
        "/api/v1/zones",
        json=_import(_square(120.75, 30.78, name="火星坐标"), datum="gcj02"),
        headers=f.auth(world.city_regulator),
    )
    gcj = next(
        x
        for x in (await client.get("/api/v1/zones", headers=f.auth(world.driver))).json()["features"]
        if x["properties"]["name"] == "火星坐标"
    )
    lon0, lat0 = gcj["geometry"]["coordinates"][0][0][0]
    assert 0.003 < 120.74 - lon0 < 0.006 and 0.001 < abs(lat0 - 30.77) < 0.004
    assert (await client.post("/api/v1/zones", json=_import(fc), headers=f.auth(world.driver))).status_code == 403


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({"type": "Topology"}, "invalid_geojson"),
        (
            {
                "type": "Feature",
                "properties": {"name": "x"},
                "geometry": {"type": "LineString", "coordinates": [[120.8, 30.7], [120.9, 30.8]]},
            },
            "zone_not_polygon",
        ),
        (
            {
                "type": "Feature",
                "properties": {"name": "x"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[120.8, 30.7], [120.9, 30.8], [120.9, 30.7], [120.8, 30.8], [120.8, 30.7]]],
                },
            },
            "invalid_polygon",
        ),
        (_square(30.78, 120.75), "zone_out_of_range"),  # latitude first
        ({"type": "Feature", "properties": {}, "geometry": _square(120.75, 30.78)["geometry"]}, "zone_name_required"),
    ],
)
async def test_bad_zone_files_write_nothing(client, session: AsyncSession, world: World, doc: Any, code: str) -> None:  # type: ignore[no-untyped-def]
    fc = {"type": "FeatureCollection", "features": [_square(120.75, 30.78), doc]} if doc.get("type") == "Feature" else doc
    r = await client.post("/api/v1/zones", json=_import(fc), headers=f.auth(world.city_regulator))
    assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert (await session.execute(text("SELECT count(*) FROM protected_zone"))).scalar() == 0


async def test_a_journey_through_a_zone(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    a = f.POINTS[330402]
    rcv: tuple[float, float] = tuple((await flow.create())["receiver"]["location"]["coordinates"])  # type: ignore[assignment]
    mid = ((a[0] + rcv[0]) / 2, (a[1] + rcv[1]) / 2)
    far = _square(121.2, 30.6, name="远处的保护区")
    on_route = _square(mid[0], mid[1], d=0.005, name="途经的水源保护区")
    fc = {"type": "FeatureCollection", "features": [far, on_route]}
    r = await client.post("/api/v1/zones", json=_import(fc), headers=f.auth(world.city_regulator))
    assert r.status_code == 201
    m = await _journey(client, flow, world, _line(a, rcv, T0, 40), 41)
    e = (await alerts_of(session, m["id"]))["protected_zone_entered"].evidence
    assert [z["name"] for z in e["zones"]] == ["途经的水源保护区"] and e["zones"][0]["points_inside"] > 0
    # Retired before the trip: a journey through it raises nothing.
    zone_id = e["zones"][0]["zone_id"]
    r = await client.post(f"/api/v1/zones/{zone_id}/retire", json={"on": "2026-01-02"}, headers=f.auth(world.city_regulator))
    assert r.status_code == 200
    m2 = await _journey(client, flow, world, _line(a, rcv, T0, 40), 41)
    assert "protected_zone_entered" not in await alerts_of(session, m2["id"])
