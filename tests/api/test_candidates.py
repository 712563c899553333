"""GET /api/v1/receivers/candidates: licensed receivers nearest first, with the jurisdiction verdict
that submission will apply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import World, build_world, today

URL = "/api/v1/receivers/candidates"


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)


async def _get(client, world: World, codes: list[str], user=None, **params):  # type: ignore[no-untyped-def]
    q = {"generator_site_id": str(world.gen_site.id), "codes": codes, **params}
    return await client.get(URL, params=q, headers=f.auth(user or world.gen_user))


async def test_hazardous_candidates_sorted_by_distance_with_the_city_rule(client, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await _get(client, world, ["900-249-08"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "hazardous"
    items = body["items"]
    assert [i["site_id"] for i in items] == [str(world.rcv_site.id), str(world.far_site.id)]  # the general one is not licensed
    near, far = items
    assert near["distance_m"] < far["distance_m"]
    assert near["outcome"] == "allowed" and near["rule"] is None
    assert "不出市" in near["explanation"]
    assert far["outcome"] == "needs_exemption" and far["rule"] == "hazardous_leaves_city"
    assert far["exemption_scope"] == "cross_city" and far["city_adcode"] == 330100
    assert set(near["methods"]) == {"D10", "R9"}
    assert float(near["capacity_left_t"]) == 1000.0

    only_r9 = (await _get(client, world, ["900-249-08"], method="R9")).json()["items"]
    assert [i["site_id"] for i in only_r9] == [str(world.rcv_site.id)]
    assert only_r9[0]["methods"] == ["R9"]


async def test_general_waste_needs_a_cross_county_exemption_until_one_is_granted(client, world: World) -> None:  # type: ignore[no-untyped-def]
    items = (await _get(client, world, ["SW07"])).json()["items"]
    assert [(i["site_id"], i["outcome"], i["rule"]) for i in items] == [
        (str(world.general_site.id), "needs_exemption", "solid_waste_leaves_county")
    ]
    r = await client.post(
        "/api/v1/exemptions",
        headers=f.auth(world.nanhu_regulator),
        json={
            "scope": "cross_county",
            "generator_org_id": str(world.generator.id),
            "receiver_site_id": str(world.general_site.id),
            "waste_codes": ["SW07"],
            "quantity_cap": "20",
            "unit": "t",
            "valid_from": str(today()),
            "valid_to": str(today() + timedelta(days=30)),
            "reason": "本县无处置能力",
        },
    )
    assert r.status_code == 201, r.text
    item = (await _get(client, world, ["SW07"], quantity_kg="12000")).json()["items"][0]
    assert item["outcome"] == "exempted" and item["exemption_id"] == r.json()["id"]
    assert float(item["exemption_remaining_kg"]) == 20000
    too_much = (await _get(client, world, ["SW07"], quantity_kg="25000")).json()["items"][0]
    assert too_much["outcome"] == "needs_exemption"
    later = (await _get(client, world, ["SW07"], on=str(today() + timedelta(days=60)))).json()["items"][0]
    assert later["outcome"] == "needs_exemption"  # the exemption has expired by then


async def test_verdict_matches_what_submission_does(client, world: World) -> None:  # type: ignore[no-untyped-def]
    items = (await _get(client, world, ["900-249-08"])).json()["items"]
    for item in items:
        body = world.body(receiver_site_id=item["site_id"])
        m = (await client.post("/api/v1/manifests", json=body, headers=f.auth(world.gen_user))).json()
        r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
        if item["outcome"] == "allowed":
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 422 and r.json()["code"] == item["rule"]


async def test_english_explanations_and_errors(client, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(
        URL,
        params={"generator_site_id": str(world.gen_site.id), "codes": ["900-249-08"]},
        headers={**f.auth(world.gen_user), "Accept-Language": "en"},
    )
    far = r.json()["items"][1]
    assert far["explanation"].startswith("Hazardous waste must not leave its city")

    assert (await _get(client, world, ["900-249-08", "SW07"])).json()["code"] == "mixed_waste_kinds"
    assert (await _get(client, world, ["999-999-99"])).json()["code"] == "unknown_waste_code"
    assert (await _get(client, world, ["900-249-08"], method="XX9")).json()["code"] == "unknown_method_code"


async def test_only_for_a_generator_site_the_caller_can_see(client, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await _get(client, world, ["900-249-08"], user=world.other_generator_user)
    assert r.status_code == 404
    assert (await _get(client, world, ["900-249-08"], user=world.city_regulator)).status_code == 200
    assert (await _get(client, world, ["900-249-08"], user=world.haining_regulator)).status_code == 404
    assert (await client.get(URL, params={"generator_site_id": str(world.gen_site.id), "codes": ["SW07"]})).status_code == 401
