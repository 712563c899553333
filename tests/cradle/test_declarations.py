"""Declarations drafted from the ledger and manifests, submitted immutable, corrected by versions;
receivers' monthly balances."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.cradle.conftest import Ledger, World, today
from waste_tracker import clock
from waste_tracker.declaration.periods import period


def _last_month() -> date:
    first = today().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def test_periods_and_due_dates() -> None:
    assert period("month", date(2026, 1, 1)).due_on == date(2026, 2, 15)
    assert period("month", date(2026, 12, 1)).due_on == date(2027, 1, 15)
    q4 = period("quarter", date(2026, 10, 1))
    assert (q4.end, q4.due_on, q4.label) == (date(2026, 12, 31), date(2027, 1, 15), "2026-Q4")
    assert period("year", date(2026, 1, 1)).due_on == date(2027, 3, 31)


async def test_draft_adds_up_and_submission_is_frozen(client, session: AsyncSession, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    m0 = _last_month()
    # Two months ago: one drum left in store. Last month: three drums generated, two shipped, one handled on site.
    with clock.frozen(clock.at((m0 - timedelta(days=1)).year, (m0 - timedelta(days=1)).month, 20, 10)):
        await ledger.register(n=1, generated_on=str(clock.today()))
    with clock.frozen(clock.at(m0.year, m0.month, 10, 10)):
        cs = await ledger.register(n=3, generated_on=str(clock.today()))
        m = await ledger.manifest_from(cs[:2])
        m = (await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))).json()
        r = await ledger.flow.scan(m, "pickup", f.POINTS[330402], confirmed_container_count=2)
        assert r.status_code == 201, r.text
        r = await client.post(
            "/api/v1/containers/handle-on-site",
            json={"container_ids": [cs[2]["id"]], "method_code": "R9", "facility": "自建装置"},
            headers=f.auth(world.gen_user),
        )
        assert r.status_code == 200
    q = {"site_id": str(world.gen_site.id), "period_kind": "month", "period_start": str(m0)}
    d = (await client.get("/api/v1/declarations/draft", params=q, headers=f.auth(world.gen_user))).json()
    (w,) = d["wastes"]
    assert (w["stored_start_t"], w["generated_t"], w["shipped_t"], w["handled_on_site_t"], w["stored_end_t"], w["gap_t"]) == (
        "0.180",
        "0.540",
        "0.360",
        "0.180",
        "0.180",
        "0.000",
    )
    assert d["shipments"] == [
        {
            "waste_code": "900-249-08",
            "receiver_org_id": str(world.receiver.id),
            "receiver_name": world.receiver.name,
            "method_code": "D10",
            "t": "0.360",
            "manifests": 1,
        }
    ]
    assert d["own_handling"] == [{"waste_code": "900-249-08", "method_code": "R9", "t": "0.180"}]
    r = await client.post("/api/v1/declarations", json=q, headers=f.auth(world.gen_user))
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["version"], first["due_on"]) == (1, str(period("month", m0).due_on))
    assert first["late"] is (today() > period("month", m0).due_on)
    r = await client.post("/api/v1/declarations", json=q, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = await client.post("/api/v1/declarations", json={**q, "reason": "补录一桶"}, headers=f.auth(world.gen_user))
    assert r.json()["version"] == 2
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text("UPDATE declaration SET body = '{}' WHERE id = :i"), {"i": first["id"]})
    seen = (await client.get("/api/v1/declarations", headers=f.auth(world.nanhu_regulator))).json()
    assert [x["version"] for x in seen] == [2, 1]
    assert (await client.get("/api/v1/declarations", headers=f.auth(world.haining_regulator))).json() == []
    r = await client.get(f"/api/v1/declarations/{first['id']}", headers=f.auth(world.other_generator_user))
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("kind", "start", "code"),
    [
        ("month", None, "period_not_finished"),
        ("month", "2026-01-15", "period_not_aligned"),
        ("quarter", "2026-02-01", "period_not_aligned"),
        ("year", "2026-03-01", "period_not_aligned"),
    ],
)
async def test_bad_periods(client, session: AsyncSession, world: World, kind: str, start: str | None, code: str) -> None:  # type: ignore[no-untyped-def]
    start = start or str(today().replace(day=1))
    body = {"site_id": str(world.gen_site.id), "period_kind": kind, "period_start": start}
    r = await client.post("/api/v1/declarations", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (422, code)
    assert (await session.execute(text("SELECT count(*) FROM declaration"))).scalar() == 0


async def test_only_the_sites_unit_declares(client, world: World) -> None:  # type: ignore[no-untyped-def]
    body = {"site_id": str(world.gen_site.id), "period_kind": "month", "period_start": str(_last_month())}
    r = await client.post("/api/v1/declarations", json=body, headers=f.auth(world.other_generator_user))
    assert (r.status_code, r.json()["code"]) == (403, "site_not_yours")


async def test_receiver_balances_are_versions(client, world: World) -> None:  # type: ignore[no-untyped-def]
    body = {
        "site_id": str(world.rcv_site.id),
        "month": str(_last_month()),
        "utilised_kg": "0",
        "disposed_kg": "1200",
        "stored_end_kg": "300",
    }
    r = await client.post("/api/v1/receiver-balances", json=body, headers=f.auth(world.rcv_user))
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/receiver-balances", json=body, headers=f.auth(world.rcv_user))
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = await client.post("/api/v1/receiver-balances", json={**body, "reason": "更正"}, headers=f.auth(world.rcv_user))
    assert r.json()["version"] == 2
    r = await client.post("/api/v1/receiver-balances", json={**body, "disposed_kg": "-1"}, headers=f.auth(world.rcv_user))
    assert r.status_code == 422
    r = await client.post("/api/v1/receiver-balances", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (403, "site_not_yours")
    r = await client.post(
        "/api/v1/receiver-balances", json={**body, "month": str(today().replace(day=1))}, headers=f.auth(world.rcv_user)
    )
    assert (r.status_code, r.json()["code"]) == (422, "period_not_finished")
