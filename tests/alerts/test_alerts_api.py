"""The regulator's alert queue, detail, workflow, summary, export, and rule settings."""

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World
from waste_tracker.rules.catalogue import RULES


async def _planted(flow: Flow) -> dict:
    """A hazardous load picked up in 南湖 and dropped off in 上海: critical alerts."""
    m = await flow.submitted()
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[310116])
    return m


async def test_queue_is_scoped_sorted_and_paginated(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _planted(flow)
    lon, lat = f.POINTS[330402]
    m2 = await flow.submitted()
    await flow.scan(m2, "pickup", (lon + 0.02, lat))  # a warning
    r = await client.get("/api/v1/alerts", headers=f.auth(world.city_regulator))
    items = r.json()["items"]
    rules = [a["rule_id"] for a in items]
    assert set(rules) == {"hazardous_left_city", "dropoff_not_at_receiver", "scan_outside_geofence"}
    assert [a["severity"] for a in items] == sorted((a["severity"] for a in items), key=["critical", "warning"].index)
    assert items[0]["title"] in ("危险废物出市", "卸货地点不是接受人")
    # Nanhu (the generator's county) sees them; Haining sees none.
    assert len(items) == 4  # the drop-off in Shanghai is also outside the receiver's geofence
    assert len((await client.get("/api/v1/alerts", headers=f.auth(world.nanhu_regulator))).json()["items"]) == 4
    assert (await client.get("/api/v1/alerts", headers=f.auth(world.haining_regulator))).json()["items"] == []
    # The generator sees its own, read-only; another enterprise sees nothing.
    own = (await client.get("/api/v1/alerts", headers=f.auth(world.gen_user))).json()["items"]
    assert len(own) == 4
    assert (await client.get("/api/v1/alerts", headers=f.auth(world.other_generator_user))).json()["items"] == []
    r = await client.post(f"/api/v1/alerts/{own[0]['id']}/acknowledge", headers=f.auth(world.gen_user), json={})
    assert r.status_code == 403
    r = await client.get(f"/api/v1/alerts/{own[0]['id']}", headers=f.auth(world.haining_regulator))
    assert r.status_code == 404
    # Filters and cursor pagination.
    page1 = (await client.get("/api/v1/alerts", params={"limit": 2}, headers=f.auth(world.city_regulator))).json()
    page2 = (
        await client.get(
            "/api/v1/alerts", params={"limit": 2, "cursor": page1["next_cursor"]}, headers=f.auth(world.city_regulator)
        )
    ).json()
    assert [a["id"] for a in page1["items"] + page2["items"]] == [a["id"] for a in items]
    crit = (
        await client.get(
            "/api/v1/alerts", params={"severity": "critical", "manifest_id": m["id"]}, headers=f.auth(world.city_regulator)
        )
    ).json()["items"]
    assert {a["rule_id"] for a in crit} == {"hazardous_left_city", "dropoff_not_at_receiver"}
    by_county = (await client.get("/api/v1/alerts", params={"county": 330481}, headers=f.auth(world.city_regulator))).json()[
        "items"
    ]
    assert by_county == []


async def test_detail_workflow_and_history(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _planted(flow)
    h = f.auth(world.city_regulator)
    items = (await client.get("/api/v1/alerts", params={"rule": "hazardous_left_city"}, headers=h)).json()["items"]
    aid = items[0]["id"]
    d = (await client.get(f"/api/v1/alerts/{aid}", headers=h)).json()
    assert "危险废物" in d["explanation"]
    roles = [x["properties"]["role"] for x in d["geometry"]["features"]]
    assert roles.count("scan") == 2 and "generator" in roles and "receiver" in roles
    assert [e["type"] for e in d["timeline"]][-1] == "dropped_off"
    assert d["manifest"]["number"] == m["number"]
    en = (await client.get(f"/api/v1/alerts/{aid}", headers=h | {"Accept-Language": "en"})).json()
    assert en["title"] == "Hazardous waste left the city"
    r = await client.post(f"/api/v1/alerts/{aid}/acknowledge", headers=h, json={})
    assert r.json()["status"] == "acknowledged"
    r = await client.post(f"/api/v1/alerts/{aid}/acknowledge", headers=h, json={})
    assert r.status_code == 409 and r.json()["code"] == "invalid_alert_transition"
    r = await client.post(f"/api/v1/alerts/{aid}/assign", headers=h, json={"assignee_id": str(world.nanhu_regulator.id)})
    assert r.status_code == 200 and r.json()["assignee_id"] == str(world.nanhu_regulator.id)
    r = await client.post(f"/api/v1/alerts/{aid}/assign", headers=h, json={"assignee_id": str(world.haining_regulator.id)})
    assert r.status_code == 422 and r.json()["code"] == "invalid_assignee"
    r = await client.post(
        f"/api/v1/alerts/{aid}/comment", headers=f.auth(world.nanhu_regulator), json={"note": "已联系承运人核实行车轨迹"}
    )
    assert r.status_code == 200
    r = await client.post(
        f"/api/v1/alerts/{aid}/resolve", headers=f.auth(world.nanhu_regulator), json={"note": "立案查处，编号 JX-2026-001"}
    )
    assert r.json()["status"] == "resolved" and r.json()["closed_at"]
    hist = (await client.get(f"/api/v1/alerts/{aid}", headers=h)).json()["history"]
    assert [x["action"] for x in hist] == ["opened", "acknowledged", "assigned", "commented", "resolved"]
    assert hist[-1]["note"] == "立案查处，编号 JX-2026-001" and hist[-1]["actor_user_id"] == str(world.nanhu_regulator.id)


async def test_summary_and_csv_export(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _planted(flow)
    h = f.auth(world.city_regulator)
    s = (await client.get("/api/v1/alerts/summary", headers=h)).json()
    assert s["total"] == 3
    assert s["by_severity"] == {"critical": 2, "warning": 1}
    assert s["by_rule"] == {"dropoff_not_at_receiver": 1, "hazardous_left_city": 1, "scan_outside_geofence": 1}
    assert s["by_status"] == {"open": 3}
    assert s["by_county"]["330402"] == 3
    r = await client.get("/api/v1/alerts/export.csv", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8-sig")
    assert "危险废物出市" in text and text.splitlines()[0].startswith("预警编号,规则,规则代码,")
    assert len(text.strip().splitlines()) == 4


async def test_rule_settings_edits_are_audited(client, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/rules", headers=f.auth(world.gen_user))
    rules = {x["id"]: x for x in r.json()}
    assert set(rules) == set(RULES) and "audit_finding" in rules and rules["in_transit_too_long"]["thresholds"] == {"hours": 24}
    r = await client.patch(
        "/api/v1/rules/in_transit_too_long", json={"thresholds": {"hours": 12}}, headers=f.auth(world.nanhu_regulator)
    )
    assert r.status_code == 403  # county regulators cannot change city-wide rules
    r = await client.patch(
        "/api/v1/rules/in_transit_too_long", json={"thresholds": {"hours": -1}}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_thresholds"
    r = await client.patch(
        "/api/v1/rules/in_transit_too_long", json={"thresholds": {"speed": 3}}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 422
    r = await client.patch(
        "/api/v1/rules/in_transit_too_long",
        json={"thresholds": {"hours": 12}, "severity": "warning"},
        headers=f.auth(world.city_regulator),
    )
    assert r.status_code == 200 and r.json()["thresholds"] == {"hours": 12} and "12" in r.json()["explanation"]
    changes = (
        await client.get("/api/v1/rules/changes", params={"rule_id": "in_transit_too_long"}, headers=f.auth(world.city_regulator))
    ).json()
    assert len(changes) == 1
    assert changes[0]["old"] == {"enabled": True, "severity": "critical", "thresholds": {"hours": 24}}
    assert changes[0]["new"] == {"enabled": True, "severity": "warning", "thresholds": {"hours": 12}}
    assert changes[0]["changed_by"] == str(world.city_regulator.id)
    r = await client.get("/api/v1/rules/changes", headers=f.auth(world.gen_user))
    assert r.status_code == 403


async def test_the_dumping_county_sees_the_alert(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    local = await f.organisation(session, roles=["receiver"])
    local_site = await f.site(session, org=local, county=330402, at=(120.80, 30.73))
    await f.licence(session, site=local_site, kind="general", categories=["SW07"], methods=["R15"])
    m = await flow.submitted(world.general_body(local_site))
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[330421])  # dumped in 嘉善县: neither generator's nor receiver's county
    jiashan = await f.user(session, role="regulator", jurisdiction=330421)
    rules = {a["rule_id"] for a in (await client.get("/api/v1/alerts", headers=f.auth(jiashan))).json()["items"]}
    assert "solid_waste_left_county" in rules
    assert (await client.get("/api/v1/alerts", headers=f.auth(world.haining_regulator))).json()["items"] == []
