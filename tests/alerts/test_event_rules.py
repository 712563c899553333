"""Event-triggered rules through real manifests: fires, just under, and the exemption case."""

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World, today


async def _exempt(client, world: World, site, scope: str, codes: list[str], regulator=None) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(
        "/api/v1/exemptions",
        headers=f.auth(regulator or world.city_regulator),
        json={
            "scope": scope,
            "generator_org_id": str(world.generator.id),
            "receiver_site_id": str(site.id),
            "waste_codes": codes,
            "quantity_cap": "100",
            "valid_from": str(today()),
            "valid_to": str(today() + timedelta(days=90)),
            "reason": "测试豁免",
        },
    )
    assert r.status_code == 201, r.text


async def test_long_distance_and_nearer_capacity(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _exempt(client, world, world.far_site, "cross_city", ["900-249-08"])
    m = await flow.submitted(world.body(receiver_site_id=str(world.far_site.id)))  # 南湖 -> 萧山, ~70 km
    alerts = await alerts_of(session, m["id"])
    assert alerts["long_distance"].evidence["threshold_km"] == "60"
    assert 60 < float(alerts["long_distance"].evidence["distance_km"]) < 80
    near = alerts["nearer_capacity_ignored"]
    assert near.evidence["nearest_site_id"] == str(world.rcv_site.id)
    assert near.severity == "warning" and near.status == "open"
    # Raise the threshold above the distance: the next such manifest does not fire.
    r = await client.patch(
        "/api/v1/rules/long_distance", json={"thresholds": {"hazardous_km": 80}}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 200 and r.json()["thresholds"]["hazardous_km"] == 80
    m2 = await flow.submitted(world.body(receiver_site_id=str(world.far_site.id)))
    assert "long_distance" not in await alerts_of(session, m2["id"])
    # Within the city the nearest receiver is the chosen one: nothing fires.
    m3 = await flow.submitted()
    assert await alerts_of(session, m3["id"]) == {}


async def test_quantity_discrepancy(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.delivered()
    r = await flow.receive(m, kg="1430")  # 70 kg, 4.7 %: under the 5 % tolerance
    assert r.status_code == 200
    assert "quantity_discrepancy" not in await alerts_of(session, m["id"])
    m = await flow.delivered()
    await flow.receive(m, kg="1400")  # 100 kg, 6.7 %
    a = (await alerts_of(session, m["id"]))["quantity_discrepancy"]
    assert a.evidence["difference_kg"] == "100.000" and a.evidence["between"] == ["declared", "received"]


async def test_quantity_discrepancy_at_pickup(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.submitted()
    await flow.scan(m, "pickup", f.POINTS[330402], quantity_kg="1300")
    a = (await alerts_of(session, m["id"]))["quantity_discrepancy"]
    assert a.evidence["between"] == ["declared", "picked_up"]


async def test_scan_findings_become_alerts(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.submitted()
    lon, lat = f.POINTS[330402]
    await flow.scan(m, "pickup", (lon + 0.02, lat))
    await flow.scan(m, "dropoff", None)
    alerts = await alerts_of(session, m["id"])
    assert alerts["scan_outside_geofence"].evidence["scans"][0]["event_seq"] == 3
    assert alerts["scan_without_location"].evidence["scans"][0]["event_seq"] == 4
    m2 = await flow.delivered()
    assert set(await alerts_of(session, m2["id"])) == set()


async def test_dropoff_far_from_receiver_and_hazardous_left_city(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.submitted()
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[330483])  # dumped in 桐乡, still in the city
    alerts = await alerts_of(session, m["id"])
    assert alerts["dropoff_not_at_receiver"].evidence["reason"] == "far_from_receiver"
    assert "hazardous_left_city" not in alerts
    m = await flow.submitted()
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[310116])  # 上海金山
    alerts = await alerts_of(session, m["id"])
    assert alerts["hazardous_left_city"].severity == "critical"
    assert alerts["hazardous_left_city"].evidence["dropoff_city"] == 310000


async def test_hazardous_with_exemption_delivered_where_allowed(session: AsyncSession, client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _exempt(client, world, world.far_site, "cross_city", ["900-249-08"])
    m = await flow.delivered(world.body(receiver_site_id=str(world.far_site.id)))
    alerts = await alerts_of(session, m["id"])
    assert "hazardous_left_city" not in alerts and "dropoff_not_at_receiver" not in alerts


async def test_solid_waste_left_county(session: AsyncSession, client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    local = await f.organisation(session, roles=["receiver"])
    local_site = await f.site(session, org=local, county=330402, at=(120.80, 30.73))
    await f.licence(session, site=local_site, kind="general", categories=["SW07"], methods=["R15"])
    m = await flow.submitted(world.general_body(local_site))
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[330421])  # dropped off in 嘉善县
    alerts = await alerts_of(session, m["id"])
    assert alerts["solid_waste_left_county"].evidence["dropoff_county"] == 330421
    # With a cross-county exemption to the 嘉善 receiver, a drop-off there is allowed.
    await _exempt(client, world, world.general_site, "cross_county", ["SW07"], regulator=world.nanhu_regulator)
    m = await flow.delivered(world.general_body())
    assert "solid_waste_left_county" not in await alerts_of(session, m["id"])


async def test_receiver_over_capacity(session: AsyncSession, client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    small = await f.organisation(session, roles=["receiver"])
    site = await f.site(session, org=small, county=330411, at=(120.70, 30.80))
    await f.licence(session, site=site, categories=["HW08"], methods=["D10"], capacity_t=2)
    user = await f.user(session, org=small)
    for kg, fires in (("1500", False), ("1500", True)):
        m = await flow.delivered(world.body(receiver_site_id=str(site.id)))
        r = await client.post(
            f"/api/v1/manifests/{m['id']}/receive",
            headers=f.auth(user),
            json={"decision": "accepted", "lines": [{"line_no": 1, "quantity": kg}]},
        )
        assert r.status_code == 200
        alerts = await alerts_of(session)
        assert ("receiver_over_capacity" in alerts) is fires
    a = (await alerts_of(session))["receiver_over_capacity"]
    assert a.evidence["received_t"] == "3.000" and a.evidence["capacity_t"] == "2.000"
    assert a.subject_key.startswith("licence:")


async def test_licence_expired_in_use(session: AsyncSession, client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    later = await f.organisation(session, roles=["receiver"])
    site = await f.site(session, org=later, county=330411, at=(120.70, 30.80))
    lic = await f.licence(session, site=site, categories=["HW08"], methods=["D10"])
    m = await flow.submitted(world.body(receiver_site_id=str(site.id)))
    assert "licence_expired_in_use" not in await alerts_of(session, m["id"])
    # The licence lapses (expired yesterday) before the waste moves.
    await session.execute(
        text("UPDATE licence SET valid_from = '2020-01-01', valid_to = :d WHERE id = :l"),
        {"d": today() - timedelta(days=1), "l": lic.id},
    )
    await session.refresh(lic)
    await flow.scan(m, "pickup", f.POINTS[330402])
    a = (await alerts_of(session, m["id"]))["licence_expired_in_use"]
    assert a.evidence["expired"] == [{"kind": "licence", "number": lic.number, "valid_to": str(today() - timedelta(days=1))}]
    # A renewed licence of the same site covers later events: no new finding for another manifest.
    await f.licence(session, site=site, categories=["HW08"], methods=["D10"], valid_from=today(), valid_to=date(2030, 1, 1))
    m2 = await flow.submitted(world.body(receiver_site_id=str(site.id)))
    await session.execute(text("UPDATE manifest SET licence_id = :l WHERE id = :m"), {"l": lic.id, "m": m2["id"]})
    await flow.scan(m2, "pickup", f.POINTS[330402])
    assert "licence_expired_in_use" not in await alerts_of(session, m2["id"])
