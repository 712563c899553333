"""The contract register, its files, terminations and corrections, and the check at submission."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.money.conftest import Flow, World, contract_body, register_contract, today
from waste_tracker.rules.settings import clear_cache

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_register_list_and_read_with_scope(client, world: World) -> None:  # type: ignore[no-untyped-def]
    c = await register_contract(client, world)
    assert c["status"] == "in_force" and c["price_per_tonne"] == "3200.00" and c["counterparty_name"] == "测试焚烧厂"
    for u in (world.gen_user, world.rcv_user, world.nanhu_regulator, world.city_regulator):
        got = (await client.get("/api/v1/contracts", headers=f.auth(u))).json()
        assert [x["id"] for x in got] == [c["id"]], u.username
    for u in (world.carrier_user, world.far_user, world.haining_regulator, world.other_generator_user):
        assert (await client.get("/api/v1/contracts", headers=f.auth(u))).json() == []
        assert (await client.get(f"/api/v1/contracts/{c['id']}", headers=f.auth(u))).status_code == 404


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"counterparty_org_id": "CARRIER"}, "contract_party_invalid"),  # a disposal contract with a carrier
        ({"waste_categories": [], "waste_codes": []}, "validation_error"),
        ({"valid_to": "2020-01-01"}, "validation_error"),
        ({"price_per_tonne": "99999999.00"}, "amount_out_of_range"),
        ({"signed_on": str(today() + timedelta(days=3))}, "validation_error"),
    ],
)
async def test_bad_contracts_are_refused(client, session: AsyncSession, world: World, over, code) -> None:  # type: ignore[no-untyped-def]
    if over.get("counterparty_org_id") == "CARRIER":
        over = {"counterparty_org_id": str(world.carrier.id)}
    r = await client.post("/api/v1/contracts", json=contract_body(world, **over), headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert (await session.execute(text("SELECT count(*) FROM contract"))).scalar() == 0


async def test_only_generators_register(client, world: World) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/contracts", json=contract_body(world), headers=f.auth(world.rcv_user))
    assert r.status_code == 403


async def test_files_are_kept_with_their_hash_and_never_overwritten(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    c = await register_contract(client, world)
    url = f"/api/v1/contracts/{c['id']}/files"
    for content in (PDF, PDF + b"% second scan\n"):
        r = await client.post(
            url,
            json={"filename": "合同.pdf", "content_base64": base64.b64encode(content).decode()},
            headers=f.auth(world.gen_user),
        )
        assert r.status_code == 201, r.text
        assert r.json()["sha256"] == hashlib.sha256(content).hexdigest()
    got = (await client.get(f"/api/v1/contracts/{c['id']}", headers=f.auth(world.rcv_user))).json()
    assert len(got["files"]) == 2
    first = got["files"][0]
    r = await client.get(f"{url}/{first['id']}", headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 200 and r.content == PDF and r.headers["x-content-sha256"] == first["sha256"]
    assert (await client.get(f"{url}/{first['id']}", headers=f.auth(world.far_user))).status_code == 404
    # Not a PDF or image, or too large: refused, nothing kept.
    for content, code in ((b"MZ\x90\x00 an exe", "contract_file_type"), (b"%PDF-" + b"x" * 700_001, "contract_file_too_large")):
        r = await client.post(url, json={"content_base64": base64.b64encode(content).decode()}, headers=f.auth(world.gen_user))
        assert r.status_code in (413, 422) and (r.status_code == 413 or r.json()["code"] == code), r.text
    assert (await session.execute(text("SELECT count(*) FROM contract_file"))).scalar() == 2
    with pytest.raises(DBAPIError, match="append-only|permission denied"):
        async with session.begin_nested():
            await session.execute(text("UPDATE contract_file SET filename = 'x'"))


async def test_terminate_and_correct_add_rows(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    c = await register_contract(client, world)
    r = await client.post(
        f"/api/v1/contracts/{c['id']}/corrections",
        json=contract_body(world, price_per_tonne="3000"),
        headers=f.auth(world.gen_user),
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["supersedes_id"] == c["id"]
    old = (await client.get(f"/api/v1/contracts/{c['id']}", headers=f.auth(world.gen_user))).json()
    assert old["status"] == "superseded" and old["price_per_tonne"] == "3200.00"  # the first version is kept as it was
    r = await client.post(
        f"/api/v1/contracts/{c['id']}/termination",
        json={"terminated_on": str(today()), "reason": "x"},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (409, "contract_superseded")
    r = await client.post(
        f"/api/v1/contracts/{new['id']}/termination",
        json={"terminated_on": str(today()), "reason": "接受人停产"},
        headers=f.auth(world.gen_user),
    )
    assert r.status_code == 201 and r.json()["status"] == "terminated", r.text
    r = await client.post(
        f"/api/v1/contracts/{new['id']}/termination",
        json={"terminated_on": str(today()), "reason": "again"},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (409, "contract_terminated")
    with pytest.raises(DBAPIError, match="append-only|permission denied"):
        async with session.begin_nested():
            await session.execute(text("DELETE FROM contract"))


async def _set_block(client, world: World, block: int) -> None:  # type: ignore[no-untyped-def]
    r = await client.patch(
        "/api/v1/rules/no_contract", json={"thresholds": {"block": block}}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 200, r.text
    clear_cache()


async def test_submission_without_contract_warns_and_records_the_contract_used(
    client, session: AsyncSession, world: World, flow: Flow
) -> None:  # type: ignore[no-untyped-def]
    unused = await flow.submitted()  # no contract registered at all: the register is not in use yet
    assert "no_contract" not in await alerts_of(session, unused["id"])
    await register_contract(client, world, number="HW49 only", waste_categories=["HW49"])
    bare = await flow.submitted()
    a = (await alerts_of(session, bare["id"]))["no_contract"]
    assert a.evidence["lines"] == [{"line_no": 1, "waste_code": "900-249-08"}]
    c = await register_contract(client, world)
    covered = await flow.submitted()
    assert "no_contract" not in await alerts_of(session, covered["id"])
    payload = (
        await session.execute(
            text("SELECT payload->'contract' FROM manifest_event WHERE manifest_id = :m AND type = 'submitted'"),
            {"m": covered["id"]},
        )
    ).scalar()
    assert payload["contracts"][0]["id"] == c["id"] and payload["uncovered"] == []
    r = await client.get(f"/api/v1/manifests/{covered['id']}/verify", headers=f.auth(world.gen_user))
    assert r.status_code == 200 and r.json()["ok"], r.text  # the chain and the projection still verify


async def test_blocking_city_refuses_without_contract(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _set_block(client, world, 1)
    try:
        m = await flow.create()
        r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
        body = r.json()
        assert (r.status_code, body["code"]) == (422, "no_active_contract"), r.text
        assert "900-249-08" in body["message"]
        # A contract for another category, or one terminated, does not cover it.
        other = await register_contract(client, world, waste_categories=["HW49"])
        assert (await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))).status_code == 422
        c = await register_contract(client, world, number="JX-HT-2")
        await client.post(
            f"/api/v1/contracts/{c['id']}/termination",
            json={"terminated_on": str(today()), "reason": "x"},
            headers=f.auth(world.gen_user),
        )
        assert (await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))).status_code == 422
        await register_contract(client, world, number="JX-HT-3", waste_codes=["900-249-08"], waste_categories=[])
        r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
        assert r.status_code == 200, r.text
        assert other["id"]
    finally:
        await _set_block(client, world, 0)
