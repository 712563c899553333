"""Date-sensitive paths run at 23:59 and 00:01 Shanghai time and across 31 December.

Between 16:00 and 24:00 UTC the UTC date is a day behind Shanghai's: each test below would fail
if any step judged its day in UTC (or by the machine's zone) instead of through ``waste_tracker.clock``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, build_world
from waste_tracker import clock
from waste_tracker.errors import Invalid
from waste_tracker.manifest.anchors import anchor_day, day_root, unanchored_days
from waste_tracker.models import Manifest
from waste_tracker.rules.sweep import run_sweep

LATE = clock.at(2027, 6, 16, 23, 59)  # 15:59 UTC, the same UTC day
EARLY = clock.at(2027, 6, 16, 0, 1)  # 16:01 UTC on 15 June: the UTC date is a day behind


@pytest.mark.parametrize("at", [LATE, EARLY], ids=["23:59", "00:01"])
async def test_disposal_date_is_the_shanghai_day(client, session: AsyncSession, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at):
        assert clock.today() == date(2027, 6, 16)
        w = await build_world(session)
        flow = Flow(client, w)
        m = await flow.delivered()
        assert (await flow.receive(m)).status_code == 200
        url = f"/api/v1/manifests/{m['id']}/dispose"
        tomorrow = {"method_code": "D10", "disposed_on": "2027-06-17", "quantity": "1500"}
        r = await client.post(url, headers=f.auth(w.rcv_user), json=tomorrow)
        assert r.status_code == 422 and r.json()["code"] == "invalid_disposal_date"
        # The message says why: between the day of receipt and today (both named).
        assert "2027-06-16" in r.json()["message"] and "不能早于接收" in r.json()["message"], r.json()["message"]
        r = await client.post(url, headers=f.auth(w.rcv_user), json=tomorrow | {"disposed_on": "2027-06-16"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "completed"


@pytest.mark.parametrize("at", [LATE, EARLY], ids=["23:59", "00:01"])
async def test_pickup_date_window_is_the_shanghai_day(client, session: AsyncSession, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at):
        w = await build_world(session)
        flow = Flow(client, w)
        too_old = await flow.create(w.body(planned_pickup_date="2027-06-14"))
        r = await client.post(f"/api/v1/manifests/{too_old['id']}/submit", headers=f.auth(w.gen_user))
        assert r.status_code == 422 and r.json()["code"] == "invalid_pickup_date"
        yesterday = await flow.create(w.body(planned_pickup_date="2027-06-15"))
        r = await client.post(f"/api/v1/manifests/{yesterday['id']}/submit", headers=f.auth(w.gen_user))
        assert r.status_code == 200, r.text


async def test_manifest_numbers_change_year_at_shanghai_midnight(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(clock.at(2027, 12, 31, 23, 59)) as c:
        w = await build_world(session)
        flow = Flow(client, w)
        old_year = await flow.submitted()
        c.advance(minutes=2)  # 00:01 on 1 January 2028 in Shanghai, still 31 December in UTC
        new_year = await flow.submitted(w.body())
    assert old_year["number"].startswith("20273304")
    assert new_year["number"] == "20283304000001"  # a new year's serials start at 1


async def test_receipt_deadline_counts_from_the_shanghai_day_of_the_dropoff(session: AsyncSession, client) -> None:  # type: ignore[no-untyped-def]
    # Delivered at 00:01 on Thursday 17 June in Shanghai (Wednesday in UTC): five working days
    # from Thursday end on Thursday 24 June, not on Wednesday 23 June.
    with clock.frozen(clock.at(2027, 6, 17, 0, 1)) as c:
        w = await build_world(session)
        m = await Flow(client, w).delivered()
        c.set(clock.at(2027, 6, 24, 23, 59))
        await run_sweep(session)
        assert "delivered_not_received" not in await alerts_of(session, m["id"])
        c.set(clock.at(2027, 6, 25, 0, 1))
        await run_sweep(session)
        a = (await alerts_of(session, m["id"]))["delivered_not_received"]
        assert a.evidence["deadline"] == "2027-06-24"


async def test_not_picked_up_counts_from_the_planned_shanghai_day(session: AsyncSession, client) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(clock.at(2027, 6, 1, 9, 0)) as c:
        w = await build_world(session)
        m = await Flow(client, w).submitted(w.body(planned_pickup_date="2027-06-10"))
        # 30 days after the planned day began in Shanghai (10 June 00:00 +08:00).
        c.set(clock.at(2027, 7, 10, 0, 0) - timedelta(minutes=1))
        await run_sweep(session)
        assert "not_picked_up" not in await alerts_of(session, m["id"])
        c.set(clock.at(2027, 7, 10, 0, 1))
        await run_sweep(session)
        assert "not_picked_up" in await alerts_of(session, m["id"])


async def test_kpi_and_flow_windows_split_at_shanghai_midnight(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(clock.at(2027, 12, 31, 23, 59)) as c:
        w = await build_world(session)
        flow = Flow(client, w)
        before = await flow.submitted()
        await flow.scan(before, "pickup", f.POINTS[330402])
        c.advance(minutes=2)
        after = await flow.submitted(w.body())
        await flow.scan(after, "pickup", f.POINTS[330402])
        headers = f.auth(w.city_regulator)
        for day, expected in (("2027-12-31", before), ("2028-01-01", after)):
            params = {"date_from": day, "date_to": day, "county": 330402}
            k = (await client.get("/api/v1/stats/kpis", params=params, headers=headers)).json()
            assert [row["manifests"] for row in k] == [1], day
            flows = (await client.get("/api/v1/stats/flows", params=params, headers=headers)).json()
            assert [row["manifests"] for row in flows] == [1], day
            listed = await client.get("/api/v1/manifests", params={"created_from": day, "created_to": day}, headers=headers)
            numbers = [x["number"] for x in listed.json()["items"] if x["number"] in (before["number"], after["number"])]
            assert numbers == [expected["number"]], day


async def test_anchor_days_are_shanghai_days(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(clock.at(2027, 6, 16, 23, 59)) as c:
        w = await build_world(session)
        late = await Flow(client, w).submitted()  # two events at 23:59 on the 16th
        c.advance(minutes=2)
        early = await Flow(client, w).submitted(w.body())  # two events at 00:01 on the 17th
        with pytest.raises(Invalid) as refused:
            await anchor_day(session, date(2027, 6, 17))  # the 17th has only begun
        assert refused.value.code == "day_not_finished"
        root16, n16 = await day_root(session, date(2027, 6, 16))
        root17, n17 = await day_root(session, date(2027, 6, 17))
        assert (n16, n17) == (2, 2)
        assert root16 != root17
        assert date(2027, 6, 16) in await unanchored_days(session)
        assert date(2027, 6, 17) not in await unanchored_days(session)  # not finished yet
        a = await anchor_day(session, date(2027, 6, 16))
        assert a["event_count"] == 2
        days = {
            row.id: clock.local_date(row.submitted_at)
            for row in (await session.execute(select(Manifest).where(Manifest.id.in_([late["id"], early["id"]])))).scalars()
        }
        assert sorted(days.values()) == [date(2027, 6, 16), date(2027, 6, 17)]


async def test_access_tokens_expire_by_the_service_clock(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    w = await build_world(session)
    headers = f.auth(w.gen_user)  # valid 60 minutes from now
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    with clock.frozen(clock.now() + timedelta(minutes=61)):
        r = await client.get("/api/v1/auth/me", headers=headers)
        assert r.status_code == 401 and r.json()["code"] == "token_expired"
