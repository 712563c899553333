"""What the law says must happen at once (危险废物转移管理办法 Art. 18, issue #10 item 7): a
rejection, a partial acceptance or a weight mismatch found at receipt is reported to the generator
and to the bureau where the receiver sits in the receipt's own transaction; before the fix nothing
happened for 7 days. And what a partial acceptance sends back does not use the receiver's capacity."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World
from waste_tracker.stats.rollup import REBUILD_SQL

ROLLUP = text("SELECT received_kg, accepted_kg FROM licence_year_received WHERE licence_id = :l")


async def _visible_to(client, user, manifest_id: str, rule: str) -> bool:  # type: ignore[no-untyped-def]
    items = (await client.get("/api/v1/alerts", params={"rule": rule}, headers=f.auth(user))).json()["items"]
    return any(x["manifest_id"] == manifest_id for x in items)


async def test_partial_acceptance_is_reported_at_once(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    r = await flow.receive(m, decision="partial", kg="1500", accepted="1000", reason="两桶渗漏，拒收")
    assert r.status_code == 200, r.text
    a = (await alerts_of(session, m["id"]))["receipt_exception"]
    assert a.severity == "warning" and a.status == "open"
    assert a.evidence["found"] == ["partial"] and a.evidence["reason"] == "两桶渗漏，拒收"
    assert a.evidence["accepted_kg"] == "1000.000" and a.evidence["received_kg"] == "1500.000"
    assert a.receiver_county == 330411
    # The receiver's county bureau (秀洲 is in the city regulator's scope; 南湖 is the generator's)
    # and the generator see it now; 海宁, uninvolved, does not.
    xiuzhou = await f.user(session, role="regulator", jurisdiction=330411)
    assert await _visible_to(client, xiuzhou, m["id"], "receipt_exception")
    assert await _visible_to(client, world.gen_user, m["id"], "receipt_exception")
    assert not await _visible_to(client, world.haining_regulator, m["id"], "receipt_exception")


async def test_rejection_and_weight_mismatch(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.delivered()
    assert (await flow.receive(m, decision="rejected", kg="1500", accepted="0", reason="与联单不符")).status_code == 200
    assert (await alerts_of(session, m["id"]))["receipt_exception"].evidence["found"] == ["rejected"]
    m = await flow.delivered()
    assert (await flow.receive(m, kg="1100")).status_code == 200  # declared 1.5 t, weighed 1.1 t
    a = (await alerts_of(session, m["id"]))["receipt_exception"]
    assert a.evidence["found"] == ["quantity"] and a.evidence["difference_kg"]


async def test_a_clean_receipt_reports_nothing(session: AsyncSession, world: World, flow: Flow) -> None:
    m = await flow.delivered()
    assert (await flow.receive(m)).status_code == 200
    assert "receipt_exception" not in await alerts_of(session, m["id"])


async def test_the_rejected_part_does_not_use_capacity(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    small = await f.organisation(session, roles=["receiver"])
    site = await f.site(session, org=small, county=330411, at=(120.70, 30.80))
    lic = await f.licence(session, site=site, categories=["HW08"], methods=["D10"], capacity_t=2)
    user = await f.user(session, org=small)
    for accepted in ("500", "500", "500"):
        m = await flow.delivered(world.body(receiver_site_id=str(site.id)))
        line = {"line_no": 1, "quantity": "1500", "accepted_quantity": accepted}
        body = {"decision": "partial", "reason": "渗漏", "lines": [line]}
        r = await client.post(f"/api/v1/manifests/{m['id']}/receive", json=body, headers=f.auth(user))
        assert r.status_code == 200, r.text
    # 4.5 t received, 1.5 t accepted: under the 2 t capacity.
    assert "receiver_over_capacity" not in await alerts_of(session)
    row = (await session.execute(ROLLUP, {"l": lic.id})).one()
    assert (float(row[0]), float(row[1])) == (4500.0, 1500.0)
    # The trigger-maintained roll-up equals a rebuild from the manifests.
    for statement in REBUILD_SQL:
        await session.execute(text(statement))
    again = (await session.execute(ROLLUP, {"l": lic.id})).one()
    assert tuple(again) == tuple(row)
