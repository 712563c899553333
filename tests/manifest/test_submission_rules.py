"""The blocking checks at submission, each with and without what would allow it."""

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World, today
from waste_tracker.models import Manifest, ManifestEvent


async def _submit(client, world: World, body: dict):  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/manifests", json=body, headers=f.auth(world.gen_user))
    assert r.status_code == 201, r.text
    return r.json(), await client.post(f"/api/v1/manifests/{r.json()['id']}/submit", headers=f.auth(world.gen_user))


async def _events(session: AsyncSession, mid: str) -> int:
    return (
        await session.execute(select(func.count()).select_from(ManifestEvent).where(ManifestEvent.manifest_id == mid))
    ).scalar_one()


async def test_unknown_code_and_bad_quantities_refused_at_draft(client, world: World) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user)
    bad_code = world.body(
        lines=[
            {"waste_code": "999-999-99", "physical_form": "solid", "quantity": "1", "container_type": "袋", "container_count": 1}
        ]
    )
    r = await client.post("/api/v1/manifests", json=bad_code, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "unknown_waste_code"
    for q in ("0", "-5", "1e12", "abc", "NaN"):
        body = world.body()
        body["lines"][0]["quantity"] = q
        r = await client.post("/api/v1/manifests", json=body, headers=h)
        assert r.status_code == 422, q
    body = world.body()
    body["lines"][0] |= {"quantity": "1001", "unit": "t"}
    r = await client.post("/api/v1/manifests", json=body, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "quantity_out_of_range"
    mixed = world.body(lines=world.body()["lines"] + world.general_body()["lines"])
    r = await client.post("/api/v1/manifests", json=mixed, headers=h)
    assert r.json()["code"] == "mixed_waste_kinds"
    assert (await client.get("/api/v1/manifests", headers=h)).json()["items"] == []


async def test_receiver_not_licensed(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    # Code not covered (HW17 is not in the receiver's licence).
    body = world.body(
        lines=[
            {
                "waste_code": "336-064-17",
                "physical_form": "semi_solid",
                "quantity": "500",
                "container_type": "吨袋",
                "container_count": 1,
            }
        ]
    )
    m, r = await _submit(client, world, body)
    assert r.status_code == 422
    assert r.json()["code"] == "receiver_not_licensed"
    assert r.json()["details"]["uncovered_codes"] == ["336-064-17"]
    assert await _events(session, m["id"]) == 1  # nothing written by the refused submission
    # Method not covered.
    m, r = await _submit(client, world, world.body(planned_method_code="D1"))
    assert r.json()["code"] == "receiver_not_licensed"
    # Licence not valid on the planned pickup date.
    rcv = await f.organisation(session, roles=["receiver"])
    site = await f.site(session, org=rcv, county=330411)
    await f.licence(
        session,
        site=site,
        categories=["HW08"],
        methods=["D10"],
        valid_from=date(2020, 1, 1),
        valid_to=today() - timedelta(days=1),
    )
    m, r = await _submit(client, world, world.body(receiver_site_id=str(site.id)))
    assert r.json()["code"] == "receiver_not_licensed"
    assert r.json()["details"]["reason"] == "no_valid_licence"
    # And the valid case.
    m, r = await _submit(client, world, world.body())
    assert r.status_code == 200


async def test_carrier_not_permitted(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    general_carrier = await f.organisation(session, roles=["carrier"])
    await f.permit(session, org=general_carrier, hazardous=False)
    m, r = await _submit(client, world, world.body(carrier_org_id=str(general_carrier.id)))
    assert r.status_code == 422 and r.json()["code"] == "carrier_not_permitted"
    assert r.json()["details"]["reason"] == "hazardous_goods_not_permitted"
    # The same carrier may carry general waste.
    local = await f.organisation(session, roles=["receiver"])
    local_site = await f.site(session, org=local, county=330402, at=(120.80, 30.73))
    await f.licence(session, site=local_site, kind="general", categories=["SW07"], methods=["R15"])
    m, r = await _submit(client, world, world.general_body(local_site, carrier_org_id=str(general_carrier.id)))
    assert r.status_code == 200, r.text
    expired = await f.organisation(session, roles=["carrier"])
    await f.permit(session, org=expired, valid_from=date(2020, 1, 1), valid_to=date(2021, 1, 1))
    m, r = await _submit(client, world, world.body(carrier_org_id=str(expired.id)))
    assert r.json()["details"]["reason"] == "no_valid_permit"


async def test_hazardous_leaving_the_city_needs_an_exemption(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    body = world.body(receiver_site_id=str(world.far_site.id))
    m, r = await _submit(client, world, body)
    assert r.status_code == 422
    err = r.json()
    assert err["code"] == "hazardous_leaves_city"
    assert err["details"]["from_name"] == "嘉兴市" and err["details"]["to_name"] == "杭州市"
    assert "豁免" in err["message"]
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers={**f.auth(world.gen_user), "Accept-Language": "en"})
    assert "exemption" in r.json()["message"]
    # A county regulator cannot grant a cross-city exemption; the city regulator can.
    grant = {
        "scope": "cross_city",
        "generator_org_id": str(world.generator.id),
        "receiver_site_id": str(world.far_site.id),
        "waste_codes": ["900-249-08"],
        "quantity_cap": "2",
        "unit": "t",
        "valid_from": str(today()),
        "valid_to": str(today() + timedelta(days=365)),
        "reason": "本市焚烧能力检修期间临时外送",
    }
    r = await client.post("/api/v1/exemptions", json=grant, headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 403
    r = await client.post("/api/v1/exemptions", json=grant, headers=f.auth(world.haining_regulator))
    assert r.status_code == 403
    r = await client.post("/api/v1/exemptions", json=grant, headers=f.auth(world.city_regulator))
    assert r.status_code == 201, r.text
    ex = r.json()
    assert ex["quantity_cap_kg"] == "2000.000"
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    assert r.json()["exemption_id"] == ex["id"]
    events = (await client.get(f"/api/v1/manifests/{m['id']}/events", headers=f.auth(world.gen_user))).json()
    assert events[-1]["payload"]["exemption"] == {
        "id": ex["id"],
        "rule": "hazardous_leaves_city",
        "used_kg": "1500.000",
        "remaining_kg": "500.000",
    }
    # The cap runs out: the second 1.5 t shipment is refused, naming the exhausted exemption.
    m2, r = await _submit(client, world, body)
    assert r.status_code == 422 and r.json()["code"] == "hazardous_leaves_city"
    assert r.json()["details"]["reason"] == "exemption_exhausted"
    assert r.json()["details"]["exemption_remaining_kg"] == "500.000"
    # Cancelling the first gives its quantity back.
    await client.post(f"/api/v1/manifests/{m['id']}/cancel", headers=f.auth(world.gen_user), json={"reason": "改期"})
    r = await client.post(f"/api/v1/manifests/{m2['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    # An exemption for other codes does not cover.
    other = world.body(
        receiver_site_id=str(world.far_site.id),
        lines=[
            {"waste_code": "900-041-49", "physical_form": "solid", "quantity": "10", "container_type": "袋", "container_count": 1}
        ],
    )
    m3, r = await _submit(client, world, other)
    assert r.json()["code"] == "hazardous_leaves_city"


async def test_hazardous_may_leave_the_county_within_the_city(client, world: World) -> None:  # type: ignore[no-untyped-def]
    m, r = await _submit(client, world, world.body())  # 南湖区 -> 秀洲区
    assert r.status_code == 200
    assert r.json()["generator_county"] != r.json()["receiver_county"]


async def test_general_waste_leaving_the_county(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    m, r = await _submit(client, world, world.general_body())  # 南湖区 -> 嘉善县
    assert r.status_code == 422 and r.json()["code"] == "solid_waste_leaves_county"
    assert r.json()["details"]["from_name"] == "南湖区" and r.json()["details"]["to_name"] == "嘉善县"
    grant = {
        "scope": "cross_county",
        "generator_org_id": str(world.generator.id),
        "receiver_site_id": str(world.general_site.id),
        "waste_codes": ["SW07"],
        "quantity_cap": "100",
        "valid_from": str(today()),
        "valid_to": str(today() + timedelta(days=30)),
        "reason": "本县无污泥利用能力",
    }
    r = await client.post("/api/v1/exemptions", json=grant, headers=f.auth(world.haining_regulator))
    assert r.status_code == 403  # not their county
    r = await client.post("/api/v1/exemptions", json=grant, headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    # Inside the county needs nothing.
    local = await f.organisation(session, roles=["receiver"])
    local_site = await f.site(session, org=local, county=330402, at=(120.80, 30.73))
    await f.licence(session, site=local_site, kind="general", categories=["SW07"], methods=["R15"])
    m, r = await _submit(client, world, world.general_body(receiver_site=local_site))
    assert r.status_code == 200
    # A revoked exemption no longer covers.
    exs = (await client.get("/api/v1/exemptions", headers=f.auth(world.gen_user))).json()
    assert len(exs) == 1
    r = await client.delete(f"/api/v1/exemptions/{exs[0]['id']}", headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 200 and r.json()["revoked_at"]
    m, r = await _submit(client, world, world.general_body())
    assert r.json()["code"] == "solid_waste_leaves_county"


async def test_distance_is_stored_in_metres(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.submitted(world.body(receiver_site_id=str(world.rcv_site.id)))
    row = await session.get(Manifest, m["id"])
    from waste_tracker.geo.distance import haversine_m

    expected = haversine_m(*f.POINTS[330402], *f.POINTS[330411])
    assert abs(row.distance_m - expected) < expected * 0.005
