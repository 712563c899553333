"""The mass-balance rules: each fires where it must and stays silent where it must not."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.cradle.conftest import Ledger, World, today
from waste_tracker import clock
from waste_tracker.models import Alert
from waste_tracker.rules.sweep import run_sweep


async def _sweep(session: AsyncSession, now: Any = None) -> dict[str, dict[str, int]]:
    r = await run_sweep(session, now or clock.now())
    assert r.ran
    return r.rules


async def _alerts(session: AsyncSession, rule: str) -> list[Alert]:
    stmt = select(Alert).where(Alert.rule_id == rule, Alert.status.in_(("open", "acknowledged")))  # type: ignore[attr-defined]
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


async def test_stored_too_long(session: AsyncSession, world: World, ledger: Ledger) -> None:
    old = await ledger.register(n=2, generated_on=str(today() - timedelta(days=380)))
    await ledger.register(n=1, generated_on=str(today() - timedelta(days=300)))
    await _sweep(session)
    (a,) = await _alerts(session, "stored_too_long")
    assert a.subject_key == f"site:{world.gen_site.id}:900-249-08" and a.generator_county == 330402
    assert a.evidence["containers"] == 2 and sorted(a.evidence["identification_codes"]) == sorted(
        c["identification_code"] for c in old
    )
    assert a.generator_org_id == world.generator.id


async def test_stored_beyond_plan(session: AsyncSession, world: World, ledger: Ledger) -> None:
    await ledger.plan(expected_t="12")  # 1 t a month
    await ledger.register(n=10, gross_kg="290", net_kg="280")  # 2.8 t: under three months
    await _sweep(session)
    assert await _alerts(session, "stored_beyond_plan") == []
    await ledger.register(n=2, gross_kg="290", net_kg="280")  # 3.36 t
    await _sweep(session)
    (a,) = await _alerts(session, "stored_beyond_plan")
    assert (a.evidence["stored_kg"], a.evidence["months_of_generation"]) == ("3360.000", "3.4")


async def test_shipped_more_than_stored(session: AsyncSession, world: World, ledger: Ledger) -> None:
    plain = await ledger.flow.submitted()  # a site with no ledger at all: not judged here
    assert "shipped_more_than_stored" not in await alerts_of(session, plain["id"])
    (c,) = await ledger.register(n=1)  # 180 kg in store
    typed = await ledger.flow.submitted()  # 1.5 t typed by hand
    a = (await alerts_of(session, typed["id"]))["shipped_more_than_stored"]
    assert a.evidence["codes"] == [
        {"waste_code": "900-249-08", "declared_kg": "1500.000", "stored_kg": "180.000", "excess_kg": "1320.000"}
    ]
    from_store = await ledger.manifest_from([c])
    r = await ledger.c.post(f"/api/v1/manifests/{from_store['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 200
    assert "shipped_more_than_stored" not in await alerts_of(session, from_store["id"])


async def test_ledger_silent(session: AsyncSession, world: World, ledger: Ledger) -> None:
    await ledger.plan(expected_t="150")  # a key unit
    await ledger.register(n=1, generated_on=str(today() - timedelta(days=40)))
    await _sweep(session)
    (a,) = await _alerts(session, "ledger_silent")
    assert a.evidence["last_generated_on"] == str(today() - timedelta(days=40))
    await ledger.register(n=1, generated_on=str(today() - timedelta(days=2)))
    await _sweep(session)
    assert await _alerts(session, "ledger_silent") == []


async def test_ledger_silent_ignores_units_that_are_not_key(session: AsyncSession, ledger: Ledger) -> None:
    await ledger.plan(expected_t="5")  # registered class
    await ledger.register(n=1, generated_on=str(today() - timedelta(days=90)))
    await _sweep(session)
    assert await _alerts(session, "ledger_silent") == []


def _last_month() -> date:
    return (today().replace(day=1) - timedelta(days=1)).replace(day=1)


async def test_generation_below_plan(session: AsyncSession, world: World, ledger: Ledger) -> None:
    m0 = _last_month()
    await ledger.plan(year=m0.year, expected_t="120")  # 10 t a month
    day = str(m0 + timedelta(days=9))
    await ledger.register(n=1, generated_on=day, gross_kg="1100", net_kg="1000")  # 1 t: 10 % of the plan
    await ledger.register(n=1, waste_code="900-041-49", physical_form="solid", generated_on=day)  # still producing
    await _sweep(session)
    (a,) = await _alerts(session, "generation_below_plan")
    assert (a.evidence["month"], a.evidence["generated_kg"], a.evidence["plan_monthly_kg"]) == (
        f"{m0:%Y-%m}",
        "1000.000",
        "10000.000",
    )
    await ledger.register(n=1, generated_on=day, gross_kg="8100", net_kg="8000")  # 9 t: 90 %
    await _sweep(session)
    assert await _alerts(session, "generation_below_plan") == []


async def test_plan_quantity_exceeded(session: AsyncSession, ledger: Ledger) -> None:
    await ledger.plan(expected_t="2")
    await ledger.flow.submitted()  # 1.5 t: 75 %
    await _sweep(session)
    assert await _alerts(session, "plan_quantity_exceeded") == []
    await ledger.flow.submitted()  # 3 t: 150 %
    await _sweep(session)
    (a,) = await _alerts(session, "plan_quantity_exceeded")
    assert (a.evidence["shipped_t"], a.evidence["percent"]) == ("3.000", "150.0")


async def test_plan_not_filed_from_march(session: AsyncSession, world: World, ledger: Ledger) -> None:
    await ledger.register(n=1)
    year = today().year
    await _sweep(session, clock.at(year, 2, 28, 10))  # before the reminders start
    assert await _alerts(session, "plan_not_filed") == []
    await _sweep(session, clock.at(year, 3, 2, 10))
    (a,) = await _alerts(session, "plan_not_filed")
    assert (a.evidence["year"], a.evidence["overdue"], a.generator_county) == (year, False, 330402)
    await _sweep(session, clock.at(year, 4, 2, 10))
    (a,) = await _alerts(session, "plan_not_filed")
    assert a.evidence["overdue"] is True
    await ledger.plan(accept=False)
    p = (await ledger.c.get("/api/v1/plans", headers=f.auth(world.gen_user))).json()[0]
    await ledger.c.post(f"/api/v1/plans/{p['id']}/submit", headers=f.auth(world.gen_user))
    await _sweep(session, clock.at(year, 4, 3, 10))
    assert await _alerts(session, "plan_not_filed") == []


async def test_declaration_overdue(session: AsyncSession, world: World, ledger: Ledger) -> None:
    year = today().year - 1
    await ledger.plan(year=year, expected_t="150")  # key: monthly declarations for last year
    await _sweep(session)
    found = {a.subject_key for a in await _alerts(session, "declaration_overdue")}
    jan = f"site:{world.gen_site.id}:month:{year}-01-01"
    assert jan in found  # due 15 February last year
    assert (f"site:{world.gen_site.id}:year:{year}-01-01" in found) is (today() > date(year + 1, 3, 31))
    r = await ledger.c.post(
        "/api/v1/declarations",
        json={"site_id": str(world.gen_site.id), "period_kind": "month", "period_start": f"{year}-01-01"},
        headers=f.auth(world.gen_user),
    )
    assert r.status_code == 201 and r.json()["late"] is True
    await _sweep(session)
    assert jan not in {a.subject_key for a in await _alerts(session, "declaration_overdue")}


async def test_simplified_units_declare_quarterly(session: AsyncSession, world: World, ledger: Ledger) -> None:
    year = today().year - 1
    await ledger.plan(year=year, expected_t="20")
    await _sweep(session)
    kinds = {a.subject_key.split(":")[2] for a in await _alerts(session, "declaration_overdue")}
    assert "quarter" in kinds and "month" not in kinds


async def test_receiver_intake_unbalanced(session: AsyncSession, world: World, ledger: Ledger) -> None:
    m0 = _last_month()
    before = (m0 - timedelta(days=1)).replace(day=1)
    m = await ledger.flow.delivered()
    r = await ledger.flow.receive(m, kg="1500")
    assert r.status_code == 200, r.text
    await session.execute(
        text("UPDATE manifest SET received_at = :t WHERE id = :m"), {"t": clock.at(m0.year, m0.month, 12, 10), "m": m["id"]}
    )

    async def balance(month: date, disposed: str, stored: str, reason: str = "") -> None:
        body = {
            "site_id": str(world.rcv_site.id),
            "month": str(month),
            "utilised_kg": "0",
            "disposed_kg": disposed,
            "stored_end_kg": stored,
            "reason": reason,
        }
        r = await ledger.c.post("/api/v1/receiver-balances", json=body, headers=f.auth(world.rcv_user))
        assert r.status_code == 201, r.text

    await balance(before, "0", "200")
    await balance(m0, "300", "200")  # received 1.5 t, accounts for 0.3 t
    await _sweep(session)
    (a,) = await _alerts(session, "receiver_intake_unbalanced")
    assert (a.receiver_county, a.evidence["intake_kg"], a.evidence["gap_kg"]) == (330411, "1500.000", "1200.000")
    await balance(m0, "1300", "400", reason="更正")  # 1.3 t disposed + 0.2 t more in store: balances
    await _sweep(session)
    assert await _alerts(session, "receiver_intake_unbalanced") == []
