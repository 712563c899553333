"""Authorisation gaps found by the review (issue #10 item 5): exemptions judged by the county the
waste leaves, transport permits issued and revoked by the carrier's home city, and legal identity
changed only by a regulator, with its history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import as_admin
from tests.manifest.conftest import World, today
from tests.manifest.conftest import world as world  # noqa: F401 - the small city, as a fixture
from waste_tracker.registry.uscc import make_uscc


def _grant(world: World, **over: object) -> dict[str, object]:
    return {
        "scope": "cross_county",
        "generator_org_id": str(world.generator.id),
        "receiver_site_id": str(world.general_site.id),
        "waste_codes": ["SW07"],
        "quantity_cap": "100",
        "valid_from": str(today()),
        "valid_to": str(today() + timedelta(days=30)),
        "reason": "本县无污泥利用能力",
        **over,
    }


async def _submit(client, world: World, body: dict[str, object]):  # type: ignore[no-untyped-def]
    m = (await client.post("/api/v1/manifests", json=body, headers=f.auth(world.gen_user))).json()
    return await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))


async def test_exemption_is_judged_by_the_county_the_waste_leaves(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    # The enterprise registers a second site in 海宁; the 海宁 regulator must not open 南湖's door.
    haining_site = await f.site(session, org=world.generator, county=330481)
    h = f.auth(world.haining_regulator)
    r = await client.post("/api/v1/exemptions", json=_grant(world), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "generator_site_required"
    r = await client.post("/api/v1/exemptions", json=_grant(world, generator_site_id=str(world.gen_site.id)), headers=h)
    assert r.status_code == 403 and r.json()["code"] == "outside_jurisdiction"
    # A grant for the 海宁 site is the 海宁 regulator's to give, and covers only that site.
    r = await client.post("/api/v1/exemptions", json=_grant(world, generator_site_id=str(haining_site.id)), headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["generator_site_id"] == str(haining_site.id)
    r = await _submit(client, world, world.general_body())  # from 南湖
    assert r.status_code == 422 and r.json()["code"] == "solid_waste_leaves_county"
    r = await _submit(client, world, world.general_body(generator_site_id=str(haining_site.id)))
    assert r.status_code == 200, r.text
    # Another organisation's site cannot be named.
    other = await f.site(session, org=world.receiver, county=330481)
    r = await client.post("/api/v1/exemptions", json=_grant(world, generator_site_id=str(other.id)), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "invalid_generator_site"


def _permit(org_id: object, number: str) -> dict[str, object]:
    return {
        "organisation_id": str(org_id),
        "number": number,
        "hazardous_allowed": True,
        "valid_from": str(today()),
        "valid_to": str(today() + timedelta(days=365)),
    }


async def test_permits_are_issued_by_the_carriers_home_city_only(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/permits", json=_permit(world.carrier.id, "浙嘉危运-1"), headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 403 and r.json()["code"] == "city_regulator_required"
    hangzhou_carrier = await f.organisation(session, roles=["carrier"], region="330109")
    r = await client.post(
        "/api/v1/permits", json=_permit(hangzhou_carrier.id, "浙杭危运-1"), headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 403 and r.json()["code"] == "outside_jurisdiction"
    r = await client.post("/api/v1/permits", json=_permit(world.carrier.id, "浙嘉危运-2"), headers=f.auth(world.city_regulator))
    assert r.status_code == 201, r.text


async def test_a_revoked_permit_refuses_new_submissions_and_stays_on_record(client, world: World) -> None:  # type: ignore[no-untyped-def]
    permits = (
        await client.get("/api/v1/permits", params={"organisation_id": str(world.carrier.id)}, headers=f.auth(world.gen_user))
    ).json()
    assert len(permits) == 1 and permits[0]["revoked_at"] is None
    url = f"/api/v1/permits/{permits[0]['id']}/revoke"
    r = await client.post(url, json={"reason": "车辆不符合危货运输要求"}, headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 403
    r = await client.post(url, json={"reason": "车辆不符合危货运输要求"}, headers=f.auth(world.city_regulator))
    assert r.status_code == 200 and r.json()["revoked_at"] and r.json()["revoke_reason"] == "车辆不符合危货运输要求"
    again = await client.post(url, json={"reason": "再次"}, headers=f.auth(world.city_regulator))
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"
    r = await _submit(client, world, world.body())
    assert r.status_code == 422 and r.json()["code"] == "carrier_not_permitted"
    assert r.json()["details"]["reason"] == "permit_revoked"
    listed = (await client.get("/api/v1/permits", headers=f.auth(world.gen_user))).json()
    assert any(p["id"] == permits[0]["id"] and p["revoked_at"] for p in listed)


async def test_legal_identity_changes_only_through_a_regulator_with_history(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/organisations/{world.generator.id}"
    r = await client.patch(url, json={"name": "嘉兴某知名集团有限公司"}, headers=f.auth(world.gen_user))
    assert r.status_code == 403 and r.json()["code"] == "legal_identity_change"
    r = await client.post(
        f"{url}/identity", json={"name": "新名称有限公司", "reason": "更名"}, headers=f.auth(world.haining_regulator)
    )
    assert r.status_code == 403
    # Another company's legal name is refused.
    r = await client.post(
        f"{url}/identity", json={"name": world.receiver.name, "reason": "更名"}, headers=f.auth(world.nanhu_regulator)
    )
    assert r.status_code == 409 and r.json()["code"] == "duplicate_name"
    new_code = make_uscc("330402", "T00RENAME")
    body = {"name": "测试新材料有限公司", "uscc": new_code, "reason": "工商变更登记（2027）嘉市监字第1号"}
    r = await client.post(f"{url}/identity", json=body, headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "测试新材料有限公司" and r.json()["uscc"] == new_code
    history = (await client.get(f"{url}/identity", headers=f.auth(world.gen_user))).json()
    assert [h["name"] for h in history] == ["测试化工有限公司", "测试新材料有限公司"]
    assert history[1]["reason"].startswith("工商变更") and history[1]["changed_by"] == str(world.nanhu_regulator.id)
    with pytest.raises(DBAPIError, match="permission denied"):  # the application role
        async with session.begin_nested():
            await session.execute(text("UPDATE organisation_identity SET name = 'x'"))
    with pytest.raises(DBAPIError, match="append-only"):  # noqa: PT012 - a superuser meets the trigger
        async with session.begin_nested():
            await as_admin(session)
            await session.execute(text("UPDATE organisation_identity SET name = 'x'"))
