"""A county sees what happened in the county (issue #10 item 6): a load from 南湖 to a receiver in
秀洲 dropped off ~38 km away inside 海宁 raises alerts that 海宁's own regulator sees in the queue,
the county filter, the summary, the CSV, the KPIs and the alert page. Before the fix alerts were
scoped only to the generator's and receiver's counties and 海宁 saw nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World, today
from waste_tracker.auth.service import principal_for
from waste_tracker.manifest import access
from waste_tracker.models import Alert

HAINING = 330481


async def _dumped_in_haining(flow: Flow) -> dict[str, Any]:
    m = await flow.submitted()
    assert (await flow.scan(m, "pickup", f.POINTS[330402])).status_code == 201
    assert (await flow.scan(m, "dropoff", f.POINTS[HAINING])).status_code == 201
    return m


async def test_alerts_record_the_county_where_the_event_happened(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await _dumped_in_haining(flow)
    alerts = await alerts_of(session, m["id"])
    a = alerts["dropoff_not_at_receiver"]
    assert a.generator_county == 330402 and a.receiver_county == 330411
    assert a.event_counties == [HAINING]
    # A pickup at the generator raises nothing about 南湖 beyond what the generator county already says.
    assert all(HAINING in x.event_counties or x.rule_id != "dropoff_not_at_receiver" for x in alerts.values())


async def test_the_haining_regulator_sees_it_everywhere(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await _dumped_in_haining(flow)
    h = f.auth(world.haining_regulator)
    queue = (await client.get("/api/v1/alerts", headers=h)).json()
    rules = {x["rule_id"] for x in queue["items"]}
    assert "dropoff_not_at_receiver" in rules
    item = next(x for x in queue["items"] if x["rule_id"] == "dropoff_not_at_receiver")
    assert item["event_counties"] == [HAINING]
    filtered = (await client.get("/api/v1/alerts", params={"county": HAINING}, headers=h)).json()
    assert {x["id"] for x in filtered["items"]} == {x["id"] for x in queue["items"]}
    # The city regulator filtering by 海宁 finds it too; filtering by 嘉善 (unrelated) does not.
    city = f.auth(world.city_regulator)
    by_haining = (await client.get("/api/v1/alerts", params={"county": HAINING}, headers=city)).json()
    assert item["id"] in {x["id"] for x in by_haining["items"]}
    by_jiashan = (await client.get("/api/v1/alerts", params={"county": 330421}, headers=city)).json()
    assert item["id"] not in {x["id"] for x in by_jiashan["items"]}

    summary = (await client.get("/api/v1/alerts/summary", headers=h)).json()
    assert summary["by_county"][str(HAINING)] == summary["total"] >= 1
    csv = (await client.get("/api/v1/alerts/export.csv", headers=h)).content.decode("utf-8-sig").splitlines()
    header = csv[0].split(",")
    assert "事件发生区县" in header
    row = next(line.split(",") for line in csv[1:] if line.startswith(f"{item['id']},"))
    assert row[header.index("事件发生区县")] == "海宁市"

    params = {"date_from": str(today()), "date_to": str(today())}
    kpis = (await client.get("/api/v1/stats/kpis", params=params, headers=h)).json()
    assert [k["county"] for k in kpis] == [HAINING]
    assert kpis[0]["manifests"] == 0 and kpis[0]["open_alerts_by_rule"]["dropoff_not_at_receiver"] == 1

    detail = await client.get(f"/api/v1/alerts/{item['id']}", headers=h)
    assert detail.status_code == 200
    # and it may act on it
    r = await client.post(f"/api/v1/alerts/{item['id']}/acknowledge", json={"note": "已派员核查"}, headers=h)
    assert r.status_code == 200, r.text
    # An unrelated county still sees nothing of this manifest.
    jiashan = await f.user(session, role="regulator", jurisdiction=330421)
    other = (await client.get("/api/v1/alerts", headers=f.auth(jiashan))).json()
    assert not [x for x in other["items"] if x["manifest_id"] == m["id"]]


async def test_the_alert_page_names_the_county(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _dumped_in_haining(flow)
    a = (await alerts_of(session))["dropoff_not_at_receiver"]
    await client.get("/login")
    r = await client.post(
        "/login",
        data={"username": world.haining_regulator.username, "password": f.PASSWORD, "csrf": client.cookies.get("wt_csrf")},
    )
    assert r.status_code == 303, r.text
    page = await client.get(f"/reg/alerts/{a.id}")
    assert page.status_code == 200 and "海宁市" in page.text and "发生地" in page.text
    queue = await client.get(f"/reg/alerts?county={HAINING}")
    assert f"/reg/alerts/{a.id}" in queue.text


async def test_python_scope_and_sql_scope_agree(session: AsyncSession, settings, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    """The readers' predicate in Python (used to authorise one alert) equals the SQL one (queues)."""
    await _dumped_in_haining(flow)
    await flow.delivered()
    everyone = (await session.execute(select(Alert))).scalars().all()
    assert everyone
    for user in (world.haining_regulator, world.nanhu_regulator, world.city_regulator, world.gen_user, world.rcv_user):
        actor = await principal_for(session, user, settings)
        in_sql = set((await session.execute(select(Alert.id).where(access.readable(actor, access.ALERTS)))).scalars())
        in_python = {a.id for a in everyone if access.can_see_alert(actor, a)}
        assert in_sql == in_python, user.username
