"""Jurisdictions in PostGIS: the import, county derivation, and the listing API."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from waste_tracker.registry.jurisdictions import counties_under, locate_county

JIAXING_COUNTIES = {330402, 330411, 330421, 330424, 330481, 330482, 330483}


async def test_postgis_extension_exists(session: AsyncSession) -> None:
    version = (await session.execute(text("SELECT postgis_version()"))).scalar()
    assert version


@pytest.mark.parametrize("county", sorted(JIAXING_COUNTIES))
async def test_point_inside_each_jiaxing_county(session: AsyncSession, county: int) -> None:
    hit = await locate_county(session, *f.POINTS[county])
    assert hit is not None
    assert hit.county_adcode == county
    assert hit.city_adcode == 330400


async def test_point_on_the_sea_has_no_county(session: AsyncSession) -> None:
    assert await locate_county(session, *f.EAST_CHINA_SEA) is None


async def test_points_either_side_of_the_city_boundary(session: AsyncSession) -> None:
    # 桐乡市 (Jiaxing) and 余杭区 (Hangzhou) meet near 120.3E; walk west across the line.
    inside = await locate_county(session, 120.45, 30.60)
    outside = await locate_county(session, 120.20, 30.45)
    assert inside is not None and inside.city_adcode == 330400
    assert outside is not None and outside.city_adcode == 330100


async def test_boundaries_are_converted_to_wgs84(session: AsyncSession) -> None:
    # The raw (GCJ-02) polygon of 海宁市 sits ~490 m ESE of the converted one: the converted
    # polygon's point-on-surface must be ~0.0045 deg west of where the raw file puts it.
    row = (
        await session.execute(
            text("SELECT ST_IsValid(geom), ST_SRID(geom), GeometryType(geom) FROM jurisdiction WHERE adcode = 330481")
        )
    ).one()
    assert row == (True, 4326, "MULTIPOLYGON")


async def test_city_scope_holds_its_seven_counties(session: AsyncSession) -> None:
    assert await counties_under(session, 330400) == JIAXING_COUNTIES
    assert await counties_under(session, 330481) == {330481}


async def test_neighbouring_cities_are_present(session: AsyncSession) -> None:
    codes = set((await session.execute(text("SELECT adcode FROM jurisdiction WHERE level = 'city'"))).scalars())
    assert {330100, 330500, 330600, 320500, 310000, 330200, 330400} <= codes


async def test_list_counties_of_jiaxing(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    u = await f.user(session, role="admin")
    r = await client.get("/api/v1/jurisdictions", params={"level": "county", "parent": 330400}, headers=f.auth(u))
    assert r.status_code == 200
    body = r.json()
    assert {j["adcode"] for j in body} == JIAXING_COUNTIES
    haining = next(j for j in body if j["adcode"] == 330481)
    assert haining["name"] == "海宁市"
    assert haining["name_en"] == "Haining City"
    lon, lat = haining["label_point"]["coordinates"]
    assert 120 < lon < 121.5 and 30 < lat < 31  # lon first (RFC 7946)


async def test_jurisdiction_geometry_is_geojson(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    u = await f.user(session, role="admin")
    r = await client.get("/api/v1/jurisdictions/330400", params={"geometry": True}, headers=f.auth(u))
    assert r.status_code == 200
    assert r.json()["geometry"]["type"] == "MultiPolygon"


async def test_locate_endpoint(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    u = await f.user(session, role="admin")
    r = await client.get("/api/v1/jurisdictions/locate", params={"lon": 120.63, "lat": 30.53}, headers=f.auth(u))
    assert r.json()["adcode"] == 330481
    r = await client.get("/api/v1/jurisdictions/locate", params={"lon": 122.8, "lat": 29.9}, headers=f.auth(u))
    assert r.status_code == 422
    assert r.json()["code"] == "location_outside_jurisdictions"
