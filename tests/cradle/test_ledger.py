"""Registering containers: identification codes, labels, the chain, and bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import as_admin
from tests.cradle.conftest import Ledger, World, today
from waste_tracker.ledger import codes


async def test_register_gives_each_container_a_37_character_code(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    first = await ledger.register(n=2)
    again = await ledger.register(n=1)
    idents = [c["identification_code"] for c in first + again]
    assert all(len(i) == codes.LENGTH for i in idents)
    day = today() - timedelta(days=3)
    assert idents == [f"{world.generator.uscc}90024908{day:%Y%m%d}{n:03d}" for n in (1, 2, 3)]
    c = first[0]
    assert (c["status"], c["net_kg"], c["kind"], c["category_code"]) == ("in_storage", "180.000", "hazardous", "HW08")
    assert c["hazard_characteristics"] == ["T", "I"]  # from the catalogue when not given
    r = await client.get(f"/api/v1/containers/{c['id']}", headers=f.auth(world.gen_user))
    d = r.json()
    assert d["identification_segments"] == [world.generator.uscc, "90024908", f"{day:%Y%m%d}", "001"]
    assert [e["type"] for e in d["events"]] == ["generated"]
    assert d["events"][0]["payload"]["net_kg"] == "180.000"


async def test_general_waste_batches_and_codes(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    (c,) = await ledger.register(
        n=1, waste_code="SW07", physical_form="semi_solid", container_type="堆场", is_batch=True, gross_kg="12000", net_kg="12000"
    )
    assert c["identification_code"][18:26] == "SW070000" and c["kind"] == "general" and c["is_batch"]
    r = await client.post(
        "/api/v1/containers",
        json={"site_id": str(world.gen_site.id), "records": [{**_record(), "is_batch": True}]},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (422, "batch_not_allowed")


def _record(**over: object) -> dict[str, object]:
    r: dict[str, object] = {
        "waste_code": "900-249-08",
        "physical_form": "liquid",
        "container_type": "200 L 钢桶",
        "gross_kg": "190",
        "net_kg": "180",
        "generated_on": str(today()),
        "storage_facility": "1号危废暂存间",
    }
    r.update(over)
    return r


@pytest.mark.parametrize(
    ("over", "status", "code"),
    [
        ({"net_kg": "0"}, 422, "validation_error"),
        ({"net_kg": "-5"}, 422, "validation_error"),
        ({"gross_kg": "100", "net_kg": "180"}, 422, "weight_out_of_range"),
        ({"gross_kg": "40000", "net_kg": "35000"}, 422, "weight_out_of_range"),
        ({"waste_code": "999-999-99"}, 422, "unknown_waste_code"),
        ({"generated_on": "2999-01-01"}, 422, "generated_in_future"),
        ({"generated_on": "2020-01-01"}, 422, "generated_too_long_ago"),
    ],
)
async def test_bad_generation_records_write_nothing(  # type: ignore[no-untyped-def]
    client, session: AsyncSession, world: World, over: dict[str, object], status: int, code: str
) -> None:
    # A good record first, the bad one second: the whole request is refused.
    body = {"site_id": str(world.gen_site.id), "records": [_record(), _record(**over)]}
    r = await client.post("/api/v1/containers", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["message"]
    n = (await session.execute(text("SELECT count(*) FROM waste_container"))).scalar()
    assert n == 0
    assert (await session.execute(text("SELECT count(*) FROM ledger_event"))).scalar() == 0


async def test_only_the_sites_own_organisation_registers(client, world: World) -> None:  # type: ignore[no-untyped-def]
    body = {"site_id": str(world.gen_site.id), "records": [_record()]}
    r = await client.post("/api/v1/containers", json=body, headers=f.auth(world.other_generator_user))
    assert (r.status_code, r.json()["code"]) == (403, "site_not_yours")
    r = await client.post("/api/v1/containers", json={**body, "site_id": str(uuid.uuid4())}, headers=f.auth(world.gen_user))
    assert r.status_code == 404


async def test_labels_and_scoping(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    (c,) = await ledger.register(n=1, volume_l=200)
    r = await client.get(c["label_svg_url"], headers=f.auth(world.gen_user))
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    svg = r.text
    assert 'width="150mm"' in svg  # 50–450 L: 150 x 150 mm (HJ 1276)
    assert "危险废物" in svg and "900-249-08" in svg
    assert c["identification_code"][:18] in svg and "毒性" in svg and "易燃性" in svg
    r = await client.get(c["label_png_url"], headers=f.auth(world.gen_user))
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    # The county's bureau reads it; another county's and another company do not learn it exists.
    assert (await client.get(f"/api/v1/containers/{c['id']}", headers=f.auth(world.nanhu_regulator))).status_code == 200
    for u in (world.haining_regulator, world.other_generator_user):
        r = await client.get(f"/api/v1/containers/{c['id']}/label.svg", headers=f.auth(u))
        assert (r.status_code, r.json()["code"]) == (404, "container_not_registered")
    r = await client.get(f"/api/v1/containers/{uuid.uuid4()}/label.png", headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (404, "container_not_registered")
    listed = (await client.get("/api/v1/containers", headers=f.auth(world.other_generator_user))).json()
    assert listed["total"] == 0
    listed = (await client.get("/api/v1/containers?status=in_storage", headers=f.auth(world.gen_user))).json()
    assert [x["id"] for x in listed["items"]] == [c["id"]]


async def test_label_size_follows_volume() -> None:
    from decimal import Decimal

    from waste_tracker.ledger.labels import size_for

    assert size_for(Decimal(20)).width_mm == 100
    assert size_for(Decimal(50)).width_mm == 100
    assert size_for(Decimal(51)).width_mm == 150
    assert size_for(Decimal(450)).width_mm == 150
    big = size_for(Decimal(1000))
    assert (big.width_mm, big.min_text_mm, big.both_sides) == (200, 6, True)


async def test_reweigh_and_own_handling_are_events(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    a, b = await ledger.register(n=2)
    r = await client.post(
        f"/api/v1/containers/{a['id']}/reweigh",
        json={"gross_kg": "185", "net_kg": "175.5", "reason": "复磅"},
        headers=f.auth(world.gen_user),
    )
    assert r.status_code == 200 and r.json()["net_kg"] == "175.500"
    r = await client.post(
        "/api/v1/containers/handle-on-site",
        json={"container_ids": [b["id"]], "method_code": "R9", "facility": "自建再生装置"},
        headers=f.auth(world.gen_user),
    )
    assert r.status_code == 200 and r.json()[0]["status"] == "handled_on_site"
    r = await client.post(
        "/api/v1/containers/handle-on-site",
        json={"container_ids": [b["id"]], "method_code": "R9", "facility": "x"},
        headers=f.auth(world.gen_user),
    )
    assert (r.status_code, r.json()["code"]) == (409, "container_not_in_storage")
    d = (await client.get(f"/api/v1/containers/{a['id']}", headers=f.auth(world.gen_user))).json()
    assert [e["type"] for e in d["events"]] == ["generated", "reweighed"]
    assert d["events"][1]["prev_hash"] == d["events"][0]["hash"]
    v = (await client.get(f"/api/v1/containers/{a['id']}/verify", headers=f.auth(world.gen_user))).json()
    assert v == {"ok": True, "events": 2, "break": None}


async def test_ledger_is_append_only_and_tampering_is_found(client, session: AsyncSession, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    (c,) = await ledger.register(n=1)
    with pytest.raises(DBAPIError, match="permission denied"):
        async with session.begin_nested():
            await session.execute(text("UPDATE ledger_event SET type = 'x' WHERE container_id = :c"), {"c": c["id"]})
    with pytest.raises(DBAPIError, match="append-only"):  # noqa: PT012 - one statement, as the administrator
        async with session.begin_nested():
            await as_admin(session)
            await session.execute(text("SET LOCAL session_replication_role = replica"))
            await session.execute(text("DELETE FROM ledger_event WHERE container_id = :c"), {"c": c["id"]})
    # A superuser who switches the trigger off and edits the weight is caught by the chain...
    await as_admin(session)
    await session.execute(text("ALTER TABLE ledger_event DISABLE TRIGGER ledger_event_no_update_delete"))
    await session.execute(
        text("UPDATE ledger_event SET payload = jsonb_set(payload, '{net_kg}', '\"18.000\"') WHERE container_id = :c"),
        {"c": c["id"]},
    )
    await session.execute(text("ALTER TABLE ledger_event ENABLE ALWAYS TRIGGER ledger_event_no_update_delete"))
    v = (await client.get(f"/api/v1/containers/{c['id']}/verify", headers=f.auth(world.nanhu_regulator))).json()
    assert v["ok"] is False and v["break"]["reason"] == "hash_mismatch" and v["break"]["seq"] == 1


async def test_an_edited_projection_is_found(client, session: AsyncSession, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    (c,) = await ledger.register(n=1)
    await session.execute(text("UPDATE waste_container SET net_kg = 1 WHERE id = :c"), {"c": c["id"]})
    v = (await client.get(f"/api/v1/containers/{c['id']}/verify", headers=f.auth(world.gen_user))).json()
    assert v["ok"] is False and v["break"]["reason"] == "projection_mismatch" and v["break"]["field"] == "net_kg"


async def test_verify_all_covers_the_ledger(session: AsyncSession, world: World, ledger: Ledger) -> None:
    from waste_tracker.ledger.queries import verify_ledger

    cs = await ledger.register(n=3)
    n, events, breaks = await verify_ledger(session, batch=2)  # two batches
    assert (n, events, breaks) == (3, 3, [])
    await session.execute(text("UPDATE waste_container SET status = 'shipped' WHERE id = :c"), {"c": cs[1]["id"]})
    _, _, breaks = await verify_ledger(session, batch=2)
    assert [(b.manifest_id, b.reason, b.field) for b in breaks] == [(cs[1]["id"], "projection_mismatch", "status")]
