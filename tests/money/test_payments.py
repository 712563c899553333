"""Payments entered and imported from bank statements (UTF-8 and GB18030), invoices, matching, and
the rules a payment can break at once (fee to a carrier or a person; no contract)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.money.conftest import Flow, World, register_contract, today
from waste_tracker.models import Alert
from waste_tracker.registry.uscc import make_uscc


async def _alerts(session: AsyncSession, rule_id: str) -> list[Alert]:
    stmt = select(Alert).where(Alert.rule_id == rule_id).execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


def _pay(w: World, **over: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "amount": "4800.00",
        "paid_on": str(today() - timedelta(days=1)),
        "payee_uscc": w.receiver.uscc,
        "purpose": "disposal",
        "bank_reference": "20261201000123",
    }
    b.update(over)
    return b


async def test_payment_to_the_receiver_under_contract_raises_nothing(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    c = await register_contract(client, world)
    r = await client.post("/api/v1/payments", json=_pay(world, contract_id=c["id"]), headers=f.auth(world.gen_user))
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["payee_name"] == "测试焚烧厂" and p["payee_kind"] == "organisation" and p["amount"] == "4800.00"
    assert await _alerts(session, "fee_to_carrier_or_person") == [] and await _alerts(session, "no_contract") == []
    for u in (world.gen_user, world.rcv_user, world.nanhu_regulator):
        assert [x["id"] for x in (await client.get("/api/v1/payments", headers=f.auth(u))).json()] == [p["id"]]
    for u in (world.carrier_user, world.far_user, world.haining_regulator):
        assert (await client.get("/api/v1/payments", headers=f.auth(u))).json() == []


async def test_fee_to_the_carrier_or_a_person_fires(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/payments", json=_pay(world, payee_uscc=world.carrier.uscc), headers=f.auth(world.gen_user))
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/payments", json=_pay(world, payee_uscc=None, payee_name="张某"), headers=f.auth(world.gen_user)
    )
    assert r.status_code == 201, r.text
    got = {a.evidence["reason"]: a for a in await _alerts(session, "fee_to_carrier_or_person")}
    assert set(got) == {"payee_is_carrier", "payee_is_person"}
    assert got["payee_is_person"].evidence["payee_name"] == "张某" and got["payee_is_carrier"].severity == "critical"
    assert got["payee_is_carrier"].generator_county == 330402  # the county bureau of the payer sees it
    # A transport fee paid to the carrier is what it should be: no fee alert (but no transport contract either).
    before = len(await _alerts(session, "fee_to_carrier_or_person"))
    r = await client.post(
        "/api/v1/payments", json=_pay(world, payee_uscc=world.carrier.uscc, purpose="transport"), headers=f.auth(world.gen_user)
    )
    assert r.status_code == 201
    assert len(await _alerts(session, "fee_to_carrier_or_person")) == before
    assert any(a.evidence.get("contract_kind") == "transport" for a in await _alerts(session, "no_contract"))


async def test_payment_without_contract_fires_no_contract(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/payments", json=_pay(world), headers=f.auth(world.gen_user))
    assert r.status_code == 201
    (a,) = await _alerts(session, "no_contract")
    assert a.subject_key == f"payment:{r.json()['id']}" and a.evidence["contract_kind"] == "disposal"


async def test_bad_payments_are_refused_and_nothing_written(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    bad_uscc = world.receiver.uscc[:17] + ("0" if world.receiver.uscc[17] != "0" else "1")
    for over, code in (
        ({"amount": "-5"}, "validation_error"),
        ({"amount": "1000000000000"}, "validation_error"),
        ({"payee_uscc": bad_uscc}, "invalid_uscc"),
        ({"payee_uscc": None, "payee_name": ""}, "payee_required"),
        ({"paid_on": str(today() + timedelta(days=2))}, "validation_error"),
    ):
        r = await client.post("/api/v1/payments", json=_pay(world, **over), headers=f.auth(world.gen_user))
        assert (r.status_code, r.json()["code"]) == (422, code), (over, r.text)
    # Someone else's payment: neither payer nor payee.
    r = await client.post(
        "/api/v1/payments", json=_pay(world, payer_org_id=str(world.generator.id)), headers=f.auth(world.far_user)
    )
    assert r.status_code == 403
    assert (await session.execute(text("SELECT count(*) FROM payment"))).scalar() == 0


CSV_ROWS = "交易日期,金额,对方户名,对方统一社会信用代码,交易流水号,用途,联单号\n"


async def test_bank_csv_in_both_encodings(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    day = (today() - timedelta(days=2)).strftime("%Y%m%d")
    body = CSV_ROWS + f'{day},"1,200.50",测试焚烧厂,{world.receiver.uscc},B001,处置费,\n{day},300,李四,,B002,处置费,\n'
    for enc, expected in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        content = base64.b64encode(body.replace("B00", f"{enc[:3]}-B00").encode(enc)).decode()
        r = await client.post(
            "/api/v1/payments/bank-csv", json={"content_base64": content, "dry_run": True}, headers=f.auth(world.gen_user)
        )
        assert r.status_code == 201, r.text
        got = r.json()
        assert got["encoding"] == expected and got["imported"] == 0 and got["errors"] == []
        assert [x["payee_name"] for x in got["rows"]] == ["测试焚烧厂", "李四"] and got["rows"][0]["amount"] == "1200.50"
        r = await client.post("/api/v1/payments/bank-csv", json={"content_base64": content}, headers=f.auth(world.gen_user))
        assert r.status_code == 201 and r.json()["imported"] == 2, r.text
    rows = (await session.execute(text("SELECT payee_name, source, import_row FROM payment ORDER BY bank_reference"))).all()
    assert [(r.source, r.import_row) for r in rows] == [("import", 2), ("import", 3)] * 2
    assert any(a.evidence["reason"] == "payee_is_person" for a in await _alerts(session, "fee_to_carrier_or_person"))


async def test_bank_csv_errors_name_their_lines_and_nothing_is_half_written(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    day = str(today() - timedelta(days=2))
    wrong = make_uscc("330402", "BADCHECK0")[:17] + "0"
    body = (
        CSV_ROWS
        + f"{day},100,测试焚烧厂,{world.receiver.uscc},C1,处置费,\n"
        + f"not-a-date,100,x,,C2,,\n{day},-0,y,,C3,,\n{day},5,z,{wrong},C4,,\n"
    )
    content = base64.b64encode(body.encode("gb18030")).decode()
    r = await client.post("/api/v1/payments/bank-csv", json={"content_base64": content}, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (422, "invalid_bank_csv"), r.text
    rows = r.json()["details"]["rows"]
    assert [e["row"] for e in rows] == [3, 4, 5] and rows[0]["field"] == "paid_on"
    assert (await session.execute(text("SELECT count(*) FROM payment"))).scalar() == 0
    r = await client.post(
        "/api/v1/payments/bank-csv", json={"content_base64": content, "valid_only": True}, headers=f.auth(world.gen_user)
    )
    assert r.status_code == 201 and r.json()["imported"] == 1 and len(r.json()["errors"]) == 3
    # Missing columns; an encoding neither UTF-8 nor GB18030 reads.
    r = await client.post(
        "/api/v1/payments/bank-csv",
        json={"content_base64": base64.b64encode("日期,备注\n2026-01-01,x\n".encode()).decode()},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_bank_csv") and r.json()["details"]["missing_columns"]
    r = await client.post(
        "/api/v1/payments/bank-csv",
        json={"content_base64": base64.b64encode(b"\xff\xfe\x00\xd8\x80").decode()},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (422, "bank_csv_encoding")


async def test_invoices_and_matching(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await register_contract(client, world)
    m = await flow.delivered()
    assert (await flow.receive(m)).status_code == 200
    other = await flow.delivered()
    assert (await flow.receive(other)).status_code == 200
    inv = {
        "buyer_org_id": str(world.generator.id),
        "number": "33012345",
        "issued_on": str(today()),
        "amount": "4800.00",
        "manifest_ids": [m["id"]],
    }
    r = await client.post("/api/v1/invoices", json=inv, headers=f.auth(world.rcv_user))
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/invoices", json=inv, headers=f.auth(world.rcv_user))
    assert (r.status_code, r.json()["code"]) == (409, "invoice_number_taken")
    assert (await client.post("/api/v1/invoices", json=inv, headers=f.auth(world.gen_user))).status_code == 403
    r = await client.post(
        "/api/v1/payments", json=_pay(world, invoice_number="33012345", manifest_ids=[m["id"]]), headers=f.auth(world.gen_user)
    )
    assert r.status_code == 201, r.text
    rows = {x["number"]: x for x in (await client.get("/api/v1/money/matching", headers=f.auth(world.rcv_user))).json()}
    assert rows[m["number"]]["state"] == "matched" and rows[other["number"]]["state"] == "open"
    assert (await client.get("/api/v1/money/matching", headers=f.auth(world.far_user))).json() == []
    assert [i["number"] for i in (await client.get("/api/v1/invoices", headers=f.auth(world.gen_user))).json()] == ["33012345"]
