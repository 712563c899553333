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
