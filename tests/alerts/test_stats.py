"""Flows and KPIs for regulators."""

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World, today


async def test_flows_and_kpis(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    await flow.receive(m, kg="1500")
    await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=f.auth(world.rcv_user),
        json={"method_code": "D10", "disposed_on": str(today()), "quantity": "1500"},
    )
    m2 = await flow.submitted()
    await flow.scan(m2, "pickup", f.POINTS[330402], quantity_kg="1000")
    params = {"date_from": str(today()), "date_to": str(today())}
    r = await client.get("/api/v1/stats/flows", params=params, headers=f.auth(world.city_regulator))
    assert r.status_code == 200
    rows = r.json()
    assert rows == [
        {
            "generator_county": 330402,
            "receiver_county": 330411,
            "generator_city": 330400,
            "receiver_city": 330400,
            "manifests": 2,
            "tonnes": 2.5,
            "out_of_city": False,
            "out_of_county": True,
        }
    ]
    assert (await client.get("/api/v1/stats/flows", params=params, headers=f.auth(world.haining_regulator))).json() == []
    r = await client.get("/api/v1/stats/flows", params=params, headers=f.auth(world.gen_user))
    assert r.status_code == 403
    k = (await client.get("/api/v1/stats/kpis", params=params, headers=f.auth(world.city_regulator))).json()
    assert len(k) == 1
    assert k[0]["county"] == 330402 and k[0]["manifests"] == 2 and k[0]["completed"] == 1
    assert k[0]["on_time_share"] == 1.0 and k[0]["disposal_share"] == 1.0
    r = await client.get("/api/v1/stats/kpis", params=params | {"county": 330402}, headers=f.auth(world.haining_regulator))
    assert r.status_code == 403
    r = await client.get(
        "/api/v1/stats/flows", params={"date_from": "2026-02-01", "date_to": "2026-01-01"}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 422


async def test_kpis_worked_out_by_hand(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    """Four loads from 南湖区 on one day, each 1,500 kg declared and weighed:

    | load | receipt decided        | accepted | disposed | on time? |
    |------|------------------------|----------|----------|----------|
    | A    | accepted at once       | 1,500    | 1,500    | yes      |
    | B    | rejected within minutes| 0        | —        | yes (a rejection is a decision) |
    | C    | partly, 1,000 accepted | 1,000    | 1,000    | yes      |
    | D    | accepted 10 days later | 1,500    | —        | no (5 working days) |

    On time: 3 of 4 delivered = 75 %. Disposal: (1,500 + 1,000) / (1,500 + 0 + 1,000 + 1,500) =
    2,500 / 4,000 = 62.5 % (dividing by the weighed 6,000 kg would give 41.7 %)."""
    from datetime import timedelta

    from waste_tracker import clock

    t0 = clock.at(2026, 11, 2, 9)  # a Monday
    rcv = f.auth(world.rcv_user)

    async def dispose(m: dict, kg: str) -> None:  # type: ignore[type-arg]
        r = await client.post(
            f"/api/v1/manifests/{m['id']}/dispose",
            headers=rcv,
            json={"method_code": "D10", "disposed_on": str(clock.today()), "quantity": kg},
        )
        assert r.status_code == 200, r.text

    with clock.frozen(t0) as clk:
        a, b, c, d = [await flow.delivered() for _ in range(4)]
        assert (await flow.receive(a, kg="1500")).status_code == 200
        assert (await flow.receive(b, "rejected", kg="1500", reason="标签与实物不符")).status_code == 200
        assert (await flow.receive(c, "partial", kg="1500", accepted="1000", reason="部分含水超标")).status_code == 200
        await dispose(a, "1500")
        await dispose(c, "1000")
        clk.set(t0 + timedelta(days=10))
        assert (await flow.receive(d, kg="1500")).status_code == 200
    day = str(t0.date())
    k = (
        await client.get("/api/v1/stats/kpis", params={"date_from": day, "date_to": day}, headers=f.auth(world.city_regulator))
    ).json()
    assert [(r["county"], r["manifests"], r["on_time_share"], r["disposal_share"]) for r in k] == [(330402, 4, 0.75, 0.625)]
