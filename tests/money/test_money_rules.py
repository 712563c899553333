"""The money sweeps: price far below the market, money without waste and waste without money —
each where it must fire and where it must not."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.money.conftest import Flow, World, register_contract, today
from waste_tracker import clock
from waste_tracker.models import Alert
from waste_tracker.rules.sweep import run_sweep


async def _open(session: AsyncSession, rule_id: str) -> list[Alert]:
    stmt = select(Alert).where(Alert.rule_id == rule_id, Alert.status == "open").execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def test_price_far_below_the_median_fires_with_median_and_count(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    others = [await f.organisation(session, roles=["generator"]) for _ in range(3)]
    for i, g in enumerate(others):
        u = await f.user(session, org=g)
        await f.site(session, org=g, county=330402)
        r = await client.post(
            "/api/v1/contracts",
            json={
                "counterparty_org_id": str(world.receiver.id),
                "waste_codes": ["900-249-08"],
                "price_per_tonne": str(3000 + 100 * i),
                "valid_from": str(today()),
                "valid_to": str(today() + timedelta(days=300)),
                "signed_on": str(today()),
            },
            headers=f.auth(u),
        )
        assert r.status_code == 201, r.text
    await run_sweep(session)
    assert await _open(session, "price_far_below_market") == []  # fair prices: nothing
    cheap = await register_contract(client, world, waste_codes=["900-249-08"], waste_categories=[], price_per_tonne="800")
    await run_sweep(session)
    (a,) = await _open(session, "price_far_below_market")
    assert a.subject_key == f"contract:{cheap['id']}:900-249-08"
    assert a.evidence["median_per_tonne_yuan"] == "3050.00" and a.evidence["prices_counted"] == 4
    assert a.evidence["price_per_tonne_yuan"] == "800.00"


async def test_money_without_waste_and_waste_without_money(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await register_contract(client, world)
    m = await flow.delivered()
    assert (await flow.receive(m)).status_code == 200  # 1.5 t accepted
    await run_sweep(session)
    assert await _open(session, "money_without_waste") == []  # received today: not yet due
    # Paid for 1.5 t: balanced, nothing.
    r = await client.post(
        "/api/v1/payments",
        json={"amount": "4800.00", "paid_on": str(today()), "payee_uscc": world.receiver.uscc, "quantity_kg": "1500"},
        headers=f.auth(world.gen_user),
    )
    assert r.status_code == 201, r.text
    await run_sweep(session)
    assert await _open(session, "money_without_waste") == []
    # Paid for 30 t more: money without waste.
    r = await client.post(
        "/api/v1/payments",
        json={"amount": "96000.00", "paid_on": str(today()), "payee_uscc": world.receiver.uscc, "quantity_kg": "30000"},
        headers=f.auth(world.gen_user),
    )
    await run_sweep(session)
    (a,) = await _open(session, "money_without_waste")
    assert a.evidence["kind"] == "money_without_waste" and a.evidence["received_kg"] == "1500.000"
    # 61 days on, the received manifest still has no payment or invoice linked: waste without money.
    with clock.frozen(clock.now() + timedelta(days=61)):
        await run_sweep(session)
    kinds = {a.evidence["kind"]: a for a in await _open(session, "money_without_waste")}
    assert kinds["waste_without_money"].evidence["numbers"] == [m["number"]]
