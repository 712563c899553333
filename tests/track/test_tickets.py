"""Weighbridge tickets: posted (JSON, CSV), checked, matched to their manifest when read, and the
two ticket rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World
from waste_tracker import clock
from waste_tracker.rules.sweep import run_sweep


def _ticket(plate: str, net: int, at: Any, **over: Any) -> dict[str, Any]:
    t = {
        "plate": plate,
        "gross_kg": str(net + 9000),
        "tare_kg": "9000",
        "net_kg": str(net),
        "weighed_at": at.isoformat(),
        "scale_id": "SCALE-1",
    }
    t.update(over)
    return t


async def _post(client, world: World, side: str, *tickets: dict[str, Any]):  # type: ignore[no-untyped-def]
    site, user = (world.gen_site, world.gen_user) if side == "generator" else (world.rcv_site, world.rcv_user)
    return await client.post(
        "/api/v1/tickets", json={"site_id": str(site.id), "side": side, "tickets": list(tickets)}, headers=f.auth(user)
    )


async def test_tickets_match_their_manifest_and_weights_are_compared(
    client, session: AsyncSession, world: World, flow: Flow
) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()  # 1,500 kg declared
    now = clock.now()
    r = await _post(client, world, "generator", _ticket(world.truck.plate, 1510, now - timedelta(minutes=80)))
    assert r.status_code == 201, r.text
    r = await _post(client, world, "receiver", _ticket(world.truck.plate, 1200, now))
    assert r.status_code == 201, r.text
    listed = (await client.get("/api/v1/tickets", headers=f.auth(world.gen_user))).json()
    assert [t["manifest_number"] for t in listed] == [m["number"]]
    await run_sweep(session, now + timedelta(minutes=5))
    e = (await alerts_of(session, m["id"]))["weight_mismatch"].evidence
    assert (e["generator_ticket_kg"], e["receiver_ticket_kg"]) == ("1510.000", "1200.000")


async def test_a_truck_weighed_in_without_papers(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    r = await _post(client, world, "receiver", _ticket("浙FX9999", 8000, now - timedelta(hours=1)))
    assert r.status_code == 201
    await run_sweep(session, now)
    assert not (await session.execute(text("SELECT count(*) FROM alert WHERE rule_id = 'unmatched_ticket'"))).scalar()
    await run_sweep(session, now + timedelta(hours=6))
    (a,) = (await session.execute(text("SELECT * FROM alert WHERE rule_id = 'unmatched_ticket'"))).mappings().all()
    assert a["evidence"]["plate"] == "浙FX9999" and a["receiver_county"] == 330411


async def test_csv_upload_is_all_or_nothing(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    now = clock.now().isoformat()
    good = f"plate,gross_kg,tare_kg,net_kg,weighed_at,scale_id\n浙FD1001,10500,9000,1500,{now},S1\n"
    body = {"site_id": str(world.rcv_site.id), "side": "receiver"}
    r = await client.post(
        "/api/v1/tickets/csv", json={**body, "csv": good + f"浙FD1002,10500,9000,1400,{now},S1\n"}, headers=f.auth(world.rcv_user)
    )
    assert (r.status_code, r.json()["code"]) == (422, "net_not_gross_minus_tare") and r.json()["details"]["row"] == 2
    r = await client.post(
        "/api/v1/tickets/csv", json={**body, "csv": "plate,gross\n浙FD1001,1\n"}, headers=f.auth(world.rcv_user)
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_csv")
    assert (await session.execute(text("SELECT count(*) FROM weighbridge_ticket"))).scalar() == 0
    r = await client.post("/api/v1/tickets/csv", json={**body, "csv": good}, headers=f.auth(world.rcv_user))
    assert r.status_code == 201 and r.json()["recorded"] == 1


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"net_kg": "1400"}, "net_not_gross_minus_tare"),
        ({"gross_kg": "9000"}, "weight_out_of_range"),
        ({"weighed_at": "2020-01-01T10:00:00+08:00"}, "weighed_at_out_of_range"),
        ({"weighed_at": "2026-12-01T10:00:00"}, "validation_error"),
    ],
)
async def test_bad_tickets(client, session: AsyncSession, world: World, over: dict[str, Any], code: str) -> None:  # type: ignore[no-untyped-def]
    r = await _post(client, world, "receiver", _ticket("浙FD1001", 1500, clock.now(), **over))
    assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert (await session.execute(text("SELECT count(*) FROM weighbridge_ticket"))).scalar() == 0


async def test_only_the_sites_own_organisation_posts(client, world: World) -> None:  # type: ignore[no-untyped-def]
    body = {"site_id": str(world.rcv_site.id), "side": "receiver", "tickets": [_ticket("浙FD1001", 1500, clock.now())]}
    r = await client.post("/api/v1/tickets", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (403, "site_not_yours")
    r = await client.post("/api/v1/tickets", json={**body, "side": "generator"}, headers=f.auth(world.rcv_user))
    assert r.status_code == 403  # a receiver site does not weigh loads out as a generator
    assert (await client.get("/api/v1/tickets", headers=f.auth(world.driver))).status_code == 403


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the signature is what is checked


async def test_a_tickets_photo_is_kept_and_served(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    import base64
    import hashlib

    now = clock.now()
    photo = base64.b64encode(PNG).decode()
    r = await _post(client, world, "generator", _ticket("浙F11111", 1000, now, photo_base64=photo))
    assert r.status_code == 201, r.text
    tid = r.json()["ids"][0]
    r = await _post(client, world, "generator", _ticket("浙F11112", 1000, now, photo_base64=photo))  # the same image again
    assert r.status_code == 201
    assert (await session.execute(text("SELECT count(*) FROM ticket_photo"))).scalar_one() == 1
    listed = (await client.get("/api/v1/tickets", headers=f.auth(world.gen_user))).json()
    assert {t["photo_sha256"] for t in listed} == {hashlib.sha256(PNG).hexdigest()}
    got = await client.get(f"/api/v1/tickets/{tid}/photo", headers=f.auth(world.gen_user))
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    assert (await client.get(f"/api/v1/tickets/{tid}/photo", headers=f.auth(world.rcv_user))).status_code == 404
    assert (await client.get(f"/api/v1/tickets/{tid}/photo", headers=f.auth(world.nanhu_regulator))).status_code == 200
    # Not an image: refused, nothing written.
    r = await _post(
        client, world, "generator", _ticket("浙F11113", 1000, now, photo_base64=base64.b64encode(b"%PDF-1.7").decode())
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_ticket_photo"
    assert (await session.execute(text("SELECT count(*) FROM weighbridge_ticket WHERE plate = '浙F11113'"))).scalar_one() == 0
