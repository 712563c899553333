"""Exemption requests: what needs one, who decides what, and a decision made once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import World, today


def _ask(world: World, site: Any, codes: list[str], **over: Any) -> dict[str, Any]:
    return {
        "generator_site_id": str(world.gen_site.id),
        "receiver_site_id": str(site.id),
        "waste_codes": codes,
        "quantity": "5",
        "valid_from": str(today()),
        "valid_to": str(today() + timedelta(days=30)),
        "reason": "本地处置能力不足",
        **over,
    }


async def test_the_workflow(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    gen = f.auth(world.gen_user)
    # 南湖 → 秀洲 hazardous waste stays in the city: no exemption to ask for.
    r = await client.post("/api/v1/exemption-requests", json=_ask(world, world.rcv_site, ["900-249-08"]), headers=gen)
    assert r.status_code == 422 and r.json()["code"] == "exemption_not_needed"
    # 南湖 → 萧山 (Hangzhou): hazardous waste leaving the city.
    r = await client.post("/api/v1/exemption-requests", json=_ask(world, world.far_site, ["900-249-08"]), headers=gen)
    assert r.status_code == 201 and r.json()["scope"] == "cross_city" and r.json()["status"] == "pending"
    rid = r.json()["id"]
    # A county bureau may not grant a cross-city exemption; the city bureau may.
    r = await client.post(f"/api/v1/exemption-requests/{rid}/grant", json={}, headers=f.auth(world.nanhu_regulator))
    assert r.status_code == 403 and r.json()["code"] == "city_regulator_required"
    r = await client.post(f"/api/v1/exemption-requests/{rid}/grant", json={"quantity": "3"}, headers=f.auth(world.city_regulator))
    assert r.status_code == 200 and r.json()["status"] == "granted"
    granted = (await client.get("/api/v1/exemptions", headers=gen)).json()
    assert [(e["id"], e["quantity_cap_kg"]) for e in granted] == [(r.json()["exemption_id"], "3000.000")]
    # Decided once.
    r = await client.post(f"/api/v1/exemption-requests/{rid}/refuse", json={"note": "x"}, headers=f.auth(world.city_regulator))
    assert r.status_code == 409 and r.json()["code"] == "exemption_request_decided"
    # Another enterprise neither sees nor withdraws it; a county bureau elsewhere does not see it.
    r = await client.post(f"/api/v1/exemption-requests/{rid}/withdraw", headers=f.auth(world.other_generator_user))
    assert r.status_code == 404
    assert (await client.get("/api/v1/exemption-requests", headers=f.auth(world.haining_regulator))).json() == []
    # Refusing needs a reason.
    r = await client.post("/api/v1/exemption-requests", json=_ask(world, world.far_site, ["900-249-08"]), headers=gen)
    r = await client.post(f"/api/v1/exemption-requests/{r.json()['id']}/refuse", json={}, headers=f.auth(world.city_regulator))
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
