"""Organisations, sites, licences, permits and vehicles through the API."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from waste_tracker.models import Licence, Organisation, Site
from waste_tracker.registry.licences import licence_covers
from waste_tracker.registry.uscc import make_uscc


async def _admin(session: AsyncSession) -> dict[str, str]:
    return f.auth(await f.user(session, role="admin"))


async def test_create_organisation_and_bad_uscc(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    good = make_uscc("330481", "MA2Y9Y9Y9")
    r = await client.post(
        "/api/v1/organisations", json={"name": "海宁测试化工", "uscc": good.lower(), "roles": ["generator"]}, headers=h
    )
    assert r.status_code == 201, r.text
    assert r.json()["uscc"] == good
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = (await session.execute(select(func.count()).select_from(Organisation))).scalar()
    r = await client.post("/api/v1/organisations", json={"name": "坏代码公司", "uscc": bad, "roles": ["generator"]}, headers=h)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_uscc"
    assert set(body) == {"code", "message", "details"}
    assert "统一社会信用代码" in body["message"]
    assert (await session.execute(select(func.count()).select_from(Organisation))).scalar() == before
    r = await client.post("/api/v1/organisations", json={"name": "重复公司", "uscc": good, "roles": ["carrier"]}, headers=h)
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate_uscc"


async def test_english_error_messages(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    r = await client.post(
        "/api/v1/organisations",
        json={"name": "Bad", "uscc": "123", "roles": ["generator"]},
        headers={**h, "Accept-Language": "en"},
    )
    assert r.json()["message"].startswith("Invalid unified social credit code")


async def test_site_in_haining_gets_county_330481(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    org = await f.organisation(session)
    r = await client.post(
        "/api/v1/sites",
        json={
            "organisation_id": str(org.id),
            "name": "海宁厂区",
            "location": {"type": "Point", "coordinates": [120.63, 30.53]},
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["county_adcode"] == 330481
    assert body["city_adcode"] == 330400
    assert body["location"] == {"type": "Point", "coordinates": [120.63, 30.53]}


async def test_site_in_the_sea_is_refused(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    org = await f.organisation(session)
    before = (await session.execute(select(func.count()).select_from(Site))).scalar()
    r = await client.post(
        "/api/v1/sites",
        json={
            "organisation_id": str(org.id),
            "name": "海上平台",
            "location": {"type": "Point", "coordinates": list(f.EAST_CHINA_SEA)},
        },
        headers=h,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "location_outside_jurisdictions"
    assert (await session.execute(select(func.count()).select_from(Site))).scalar() == before


async def test_declared_county_must_agree(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    org = await f.organisation(session)
    r = await client.post(
        "/api/v1/sites",
        json={
            "organisation_id": str(org.id),
            "name": "错县厂区",
            "county_adcode": 330402,
            "location": {"type": "Point", "coordinates": [120.63, 30.53]},
        },
        headers=h,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "county_mismatch"
    assert r.json()["details"]["actual"] == 330481


@pytest.mark.parametrize("coords", [[200, 30], [120, 95], ["x", 30], [120]])
async def test_bad_coordinates_are_validation_errors(client, session: AsyncSession, coords) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    org = await f.organisation(session)
    r = await client.post(
        "/api/v1/sites",
        json={"organisation_id": str(org.id), "name": "坏坐标", "location": {"type": "Point", "coordinates": coords}},
        headers=h,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"


async def test_licence_validity_window(session: AsyncSession) -> None:
    org = await f.organisation(session, roles=["receiver"])
    s = await f.site(session, org=org)
    lic = await f.licence(
        session,
        site=s,
        categories=["HW08"],
        codes=["900-041-49"],
        methods=["R9"],
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    assert licence_covers(lic, "900-214-08", "HW08", "R9", date(2026, 6, 1))
    assert licence_covers(lic, "900-041-49", "HW49", "R9", date(2026, 1, 1))  # by code, first day
    assert licence_covers(lic, "900-041-49", "HW49", "R9", date(2026, 12, 31))  # last day
    assert not licence_covers(lic, "900-214-08", "HW08", "R9", date(2025, 12, 31))  # before
    assert not licence_covers(lic, "900-214-08", "HW08", "R9", date(2027, 1, 1))  # after
    assert not licence_covers(lic, "900-214-08", "HW08", "D10", date(2026, 6, 1))  # other method
    assert not licence_covers(lic, "261-084-45", "HW45", "R9", date(2026, 6, 1))  # other waste


async def test_licence_api_refuses_bad_input(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    org = await f.organisation(session, roles=["receiver"])
    s = await f.site(session, org=org)
    base = {
        "site_id": str(s.id),
        "number": "浙危废经第TEST0001号",
        "kind": "hazardous",
        "waste_categories": ["HW08"],
        "method_codes": ["R9"],
        "annual_capacity_t": "5000",
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
    }
    r = await client.post("/api/v1/licences", json={**base, "valid_to": "2025-01-01"}, headers=h)
    assert r.json()["code"] == "invalid_validity_window"
    r = await client.post("/api/v1/licences", json={**base, "waste_codes": ["999-999-99"]}, headers=h)
    assert r.json()["code"] == "unknown_waste_code"
    r = await client.post("/api/v1/licences", json={**base, "method_codes": ["Z9"]}, headers=h)
    assert r.json()["code"] == "unknown_method_code"
    assert (await session.execute(select(func.count()).select_from(Licence).where(Licence.site_id == s.id))).scalar() == 0
    r = await client.post("/api/v1/licences", json=base, headers=h)
    assert r.status_code == 201
    assert Decimal(r.json()["annual_capacity_t"]) == Decimal("5000")
    r = await client.get("/api/v1/licences", params={"covers": "900-214-08"}, headers=h)
    assert any(x["number"] == base["number"] for x in r.json())


async def test_licence_needs_a_receiver(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    org = await f.organisation(session, roles=["generator"])
    s = await f.site(session, org=org)
    r = await client.post(
        "/api/v1/licences",
        json={
            "site_id": str(s.id),
            "number": "X-1-2-3",
            "waste_categories": ["HW08"],
            "method_codes": ["R9"],
            "annual_capacity_t": "1",
            "valid_from": "2026-01-01",
            "valid_to": "2027-01-01",
        },
        headers=h,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "organisation_role_missing"


async def test_carrier_registers_its_vehicles(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    carrier = await f.organisation(session, roles=["carrier"])
    other = await f.organisation(session, roles=["carrier"])
    u = await f.user(session, org=carrier)
    p = await f.permit(session, org=carrier)
    r = await client.post(
        "/api/v1/vehicles",
        json={"organisation_id": str(carrier.id), "plate": "浙f a1234", "capacity_kg": 8000, "permit_id": str(p.id)},
        headers=f.auth(u),
    )
    assert r.status_code == 201, r.text
    assert r.json()["plate"] == "浙FA1234"
    r = await client.post(
        "/api/v1/vehicles",
        json={"organisation_id": str(other.id), "plate": "浙FB1234", "capacity_kg": 8000},
        headers=f.auth(u),
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/vehicles",
        json={"organisation_id": str(carrier.id), "plate": "浙FA1234", "capacity_kg": 8000},
        headers=f.auth(u),
    )
    assert r.json()["code"] == "duplicate_plate"


async def test_waste_code_search(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    h = await _admin(session)
    r = await client.get("/api/v1/waste-codes", params={"q": "废矿物油"}, headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] > 10
    assert body["items"][0]["category_code"] == "HW08"
    r = await client.get("/api/v1/waste-codes", params={"q": "900-041"}, headers=h)
    assert [x["code"] for x in r.json()["items"]] == ["900-041-49"]
    assert r.json()["items"][0]["hazard_characteristics"] == ["T", "In"]
    r = await client.get("/api/v1/waste-codes", params={"kind": "general"}, headers=h)
    assert r.json()["total"] == 17
    r = await client.get("/api/v1/waste-codes/900-041-49", headers=h)
    assert r.json()["kind"] == "hazardous"
    r = await client.get("/api/v1/waste-codes/000-000-00", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await client.get("/api/v1/method-codes", headers=h)
    assert {"R9", "D10", "D1"} <= {m["code"] for m in r.json()}
