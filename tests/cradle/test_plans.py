"""Management plans: classes, the bureau's acceptance and filing number, versions with reasons,
the check at manifest submission (warning or blocking), and shipments against the plan."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.cradle.conftest import Ledger, World, today
from waste_tracker.plan.classes import ClassBasis, classify
from waste_tracker.rules.settings import clear_cache


def test_management_class_follows_hj_1259() -> None:
    from decimal import Decimal

    def c(t: str, own: bool = False, lic: bool = False) -> str:
        return classify(ClassBasis(Decimal(t), "ledger", own, lic))

    assert [c("100"), c("99.999"), c("10"), c("9.999")] == ["key", "simplified", "simplified", "registered"]
    assert c("1", own=True) == "key" and c("0", lic=True) == "key"


async def test_file_accept_and_number(client, session: AsyncSession, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    p = await ledger.plan(accept=False, expected_t="150")
    assert (p["status"], p["management_class"], p["version"]) == ("draft", "key", 1)
    assert p["class_basis"]["source"] == "plan_expected" and p["filing_deadline"] == f"{today().year}-03-31"
    # The bureau does not see a first draft; another company cannot file for this site.
    r = await client.get(f"/api/v1/plans/{p['id']}", headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 404
    r = await client.post(
        "/api/v1/plans",
        json={"site_id": str(world.gen_site.id), "year": today().year, "body": ledger.plan_body()},
        headers=f.auth(world.other_generator_user),
    )
    assert (r.status_code, r.json()["code"]) == (403, "site_not_yours")
    r = await client.post(
        "/api/v1/plans",
        json={"site_id": str(world.gen_site.id), "year": today().year, "body": ledger.plan_body()},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (409, "plan_exists")
    r = await client.post(f"/api/v1/plans/{p['id']}/submit", headers=f.auth(world.gen_user))
    assert r.json()["status"] == "submitted"
    # Only the site's county bureau accepts.
    r = await client.post(f"/api/v1/plans/{p['id']}/accept", json={}, headers=f.auth(world.haining_regulator))
    assert r.status_code == 404
    r = await client.post(f"/api/v1/plans/{p['id']}/accept", json={}, headers=f.auth(world.gen_user))
    assert r.status_code == 403
    r = await client.post(f"/api/v1/plans/{p['id']}/accept", json={"note": "材料齐全"}, headers=f.auth(world.nanhu_regulator))
    a = r.json()
    assert a["status"] == "accepted" and re.fullmatch(rf"330402-{today().year}-W\d{{4}}", a["filing_number"]), a
    assert [e["type"] for e in a["history"]] == ["drafted", "submitted", "accepted"]
    listed = (await client.get("/api/v1/plans?status=accepted", headers=f.auth(world.nanhu_regulator))).json()
    assert [x["id"] for x in listed] == [p["id"]]
    assert (await client.get("/api/v1/plans", headers=f.auth(world.haining_regulator))).json() == []
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text("DELETE FROM management_plan_event WHERE plan_id = :p"), {"p": p["id"]})


async def test_revisions_keep_the_accepted_version_in_force(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    p = await ledger.plan(expected_t="20")
    assert p["management_class"] == "simplified"
    body = ledger.plan_body(expected_t="30")
    r = await client.put(f"/api/v1/plans/{p['id']}", json={"body": body}, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = await client.put(f"/api/v1/plans/{p['id']}", json={"body": body, "reason": "扩产"}, headers=f.auth(world.gen_user))
    v2 = r.json()
    assert (v2["status"], v2["version"], v2["accepted_version"]) == ("draft", 2, 1)
    assert v2["accepted_body"]["wastes"][0]["expected_t"] == "20"
    assert v2["history"][-1]["reason"] == "扩产" and v2["history"][-1]["body"]["wastes"][0]["expected_t"] == "30"
    await client.post(f"/api/v1/plans/{p['id']}/submit", headers=f.auth(world.gen_user))
    r = await client.post(
        f"/api/v1/plans/{p['id']}/return", json={"reason": "缺少贮存设施"}, headers=f.auth(world.nanhu_regulator)
    )
    assert r.json()["status"] == "returned"
    await client.post(f"/api/v1/plans/{p['id']}/submit", headers=f.auth(world.gen_user))
    r = await client.post(f"/api/v1/plans/{p['id']}/accept", json={}, headers=f.auth(world.nanhu_regulator))
    done = r.json()
    assert (done["accepted_version"], done["filing_number"]) == (2, p["filing_number"])  # the number stays


@pytest.mark.parametrize(
    ("body_over", "code"),
    [
        ({"wastes": []}, "validation_error"),
        (
            {
                "transfers": [
                    {
                        "receiver_site_id": "00000000-0000-0000-0000-000000000000",
                        "method_code": "D10",
                        "waste_codes": ["900-249-08"],
                        "expected_t": "1",
                    }
                ]
            },
            "unknown_receiver_site",
        ),
        (
            {"transfers": [{"receiver_site_id": None, "method_code": "D10", "waste_codes": ["900-041-49"], "expected_t": "1"}]},
            "transfer_code_not_in_plan",
        ),
        (
            {"transfers": [{"receiver_site_id": None, "method_code": "ZZ9", "waste_codes": ["900-249-08"], "expected_t": "1"}]},
            "unknown_method_code",
        ),
        (
            {
                "transfers": [
                    {
                        "receiver_site_id": None,
                        "method_code": "D10",
                        "licence_number": "NOPE",
                        "waste_codes": ["900-249-08"],
                        "expected_t": "1",
                    }
                ]
            },
            "licence_not_of_receiver",
        ),
    ],
)
async def test_bad_plans_are_refused(client, session: AsyncSession, world: World, ledger: Ledger, body_over, code) -> None:  # type: ignore[no-untyped-def]
    for t in body_over.get("transfers", []):
        t["receiver_site_id"] = t["receiver_site_id"] or str(world.rcv_site.id)
    r = await client.post(
        "/api/v1/plans",
        json={"site_id": str(world.gen_site.id), "year": today().year, "body": ledger.plan_body(**body_over)},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert (await session.execute(text("SELECT count(*) FROM management_plan"))).scalar() == 0


async def _set_block(client, world: World, block: int) -> None:  # type: ignore[no-untyped-def]
    r = await client.patch(
        "/api/v1/rules/manifest_outside_plan", json={"thresholds": {"block": block}}, headers=f.auth(world.city_regulator)
    )
    assert r.status_code == 200, r.text
    clear_cache()


async def test_manifest_outside_the_plan_warns_by_default(client, session: AsyncSession, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    await ledger.plan()
    inside = await ledger.flow.submitted()
    assert "manifest_outside_plan" not in await alerts_of(session, inside["id"])
    outside = await ledger.flow.submitted(world.body(planned_method_code="R9"))
    a = (await alerts_of(session, outside["id"]))["manifest_outside_plan"]
    assert a.evidence["lines"] == [{"line_no": 1, "waste_code": "900-249-08", "reason": "method_not_planned"}]
    assert a.evidence["filing_number"]


async def test_blocking_city_refuses_with_the_plan_number(client, session: AsyncSession, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    await _set_block(client, world, 1)
    try:
        m = await ledger.flow.create()
        r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
        assert (r.status_code, r.json()["code"]) == (422, "no_filed_management_plan")
        p = await ledger.plan()
        lines = [{**world.body()["lines"][0], "waste_code": "900-214-08"}]
        m2 = await ledger.flow.create(world.body(lines=lines))
        r = await client.post(f"/api/v1/manifests/{m2['id']}/submit", headers=f.auth(world.gen_user))
        body = r.json()
        assert (r.status_code, body["code"]) == (422, "outside_management_plan")
        assert body["details"]["filing_number"] == p["filing_number"] and p["filing_number"] in body["message"]
        assert body["details"]["lines"][0]["reason"] == "code_not_planned"
        got = (await client.get(f"/api/v1/manifests/{m2['id']}", headers=f.auth(world.gen_user))).json()
        assert got["status"] == "draft" and got["number"] is None  # nothing written, no number spent
        r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
        assert r.status_code == 200, r.text
    finally:
        await _set_block(client, world, 0)


async def test_shipments_against_the_plan(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    p = await ledger.plan(expected_t="1.8")
    await ledger.flow.submitted()  # 1.5 t of 1.8 t: 83 %
    prog = (await client.get(f"/api/v1/plans/{p['id']}", headers=f.auth(world.gen_user))).json()["progress"]
    assert prog == [
        {"waste_code": "900-249-08", "planned_t": "1.800", "shipped_t": "1.500", "percent": "83.3", "state": "warning"}
    ]
    await ledger.flow.submitted()
    prog = (await client.get(f"/api/v1/plans/{p['id']}", headers=f.auth(world.gen_user))).json()["progress"]
    assert prog[0]["state"] == "over"
