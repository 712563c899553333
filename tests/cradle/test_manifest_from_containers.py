"""A manifest filled from containers in storage, the driver's container check at pickup, and the
containers' way back to storage when the manifest is cancelled."""

from __future__ import annotations

from typing import Any

from tests import factories as f
from tests.cradle.conftest import Ledger, World
from tests.manifest.conftest import token_of


async def _pickup(ledger: Ledger, m: dict[str, Any], **extra: Any):  # type: ignore[no-untyped-def]
    return await ledger.flow.scan(m, "pickup", f.POINTS[330402], **extra)


async def test_lines_are_the_sums_of_the_containers(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    oil = await ledger.register(n=3)
    (sludge,) = await ledger.register(n=1, waste_code="900-210-08", physical_form="semi_solid", net_kg="95.5", gross_kg="110")
    m = await ledger.manifest_from([*oil, sludge])
    lines = {ln["waste_code"]: ln for ln in m["lines"]}
    assert lines["900-249-08"]["declared_kg"] == "540.000" and lines["900-249-08"]["container_count"] == 3
    assert lines["900-210-08"]["declared_kg"] == "95.500" and lines["900-210-08"]["container_count"] == 1
    listed = (await client.get(f"/api/v1/containers?manifest_id={m['id']}", headers=f.auth(world.gen_user))).json()
    assert {c["status"] for c in listed["items"]} == {"on_manifest"} and listed["total"] == 4
    # A container already on a manifest cannot go on another; lines of this one cannot be edited.
    body = ledger.manifest_fields(container_ids=[oil[0]["id"]])
    r = await client.post("/api/v1/manifests/from-containers", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (409, "container_not_in_storage")
    r = await client.patch(f"/api/v1/manifests/{m['id']}", json={"lines": world.body()["lines"]}, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (409, "manifest_lines_from_containers")


async def test_containers_of_another_site_or_company_are_refused(client, session, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    (c,) = await ledger.register(n=1)
    other_site = await f.site(session, org=world.generator, county=330402)
    body = ledger.manifest_fields(generator_site_id=str(other_site.id), container_ids=[c["id"]])
    r = await client.post("/api/v1/manifests/from-containers", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (422, "container_of_another_site")
    body = ledger.manifest_fields(container_ids=[c["id"]])
    r = await client.post("/api/v1/manifests/from-containers", json=body, headers=f.auth(world.other_generator_user))
    assert (r.status_code, r.json()["code"]) == (403, "container_not_yours")
    import uuid

    body = ledger.manifest_fields(container_ids=[str(uuid.uuid4())])
    r = await client.post("/api/v1/manifests/from-containers", json=body, headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"]) == (404, "container_not_registered")
    n = (await client.get("/api/v1/manifests", headers=f.auth(world.gen_user))).json()["items"]
    assert n == []  # nothing half-written


async def test_pickup_checks_every_container(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    cs = await ledger.register(n=3)
    (stray,) = await ledger.register(n=1)
    m = await ledger.manifest_from(cs)
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    m = r.json()
    r = await _pickup(ledger, m)
    assert (r.status_code, r.json()["code"]) == (422, "container_check_required")
    codes = [c["identification_code"] for c in cs]
    r = await _pickup(ledger, m, container_codes=codes[:2])
    assert (r.status_code, r.json()["code"]) == (422, "container_check_failed")
    assert r.json()["details"]["missing"] == [codes[2]]
    r = await _pickup(ledger, m, container_codes=[*codes, stray["identification_code"]])
    assert r.json()["details"]["not_on_manifest"] == [stray["identification_code"]]
    r = await _pickup(ledger, m, confirmed_container_count=2)
    assert (r.status_code, r.json()["code"]) == (422, "container_count_mismatch")
    # Nothing of the refused scans was recorded.
    assert (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.gen_user))).json()["status"] == "submitted"
    r = await _pickup(ledger, m, container_codes=[x.lower() for x in codes])  # as read by a phone, case aside
    assert r.status_code == 201, r.text
    assert r.json()["event"]["payload"]["containers"] == {"method": "scan", "expected": 3, "scanned": 3}
    d = (await client.get(f"/api/v1/containers/{cs[0]['id']}", headers=f.auth(world.gen_user))).json()
    assert d["status"] == "shipped" and [e["type"] for e in d["events"]] == ["generated", "put_on_manifest", "stored_out"]
    # The driver can look the container up by its code; a stranger driver cannot.
    r = await client.get(f"/api/v1/containers/by-code/{codes[0]}", headers=f.auth(world.driver))
    assert r.status_code == 200 and r.json()["manifest_id"] == m["id"]
    r = await client.get(f"/api/v1/containers/by-code/{codes[0]}", headers=f.auth(world.other_driver))
    assert (r.status_code, r.json()["code"]) == (404, "container_not_registered")


async def test_manifest_scan_with_count(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    cs = await ledger.register(n=2)
    m = await ledger.manifest_from(cs)
    m = (await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))).json()
    assert token_of(m)
    r = await _pickup(ledger, m, confirmed_container_count=2)
    assert r.status_code == 201, r.text
    assert r.json()["event"]["payload"]["containers"]["method"] == "count"


async def test_cancel_gives_containers_back_to_storage(client, world: World, ledger: Ledger) -> None:  # type: ignore[no-untyped-def]
    cs = await ledger.register(n=2)
    m = await ledger.manifest_from(cs)
    m = (await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))).json()
    r = await client.post(f"/api/v1/manifests/{m['id']}/cancel", json={"reason": "车辆故障"}, headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    listed = (await client.get("/api/v1/containers?status=in_storage", headers=f.auth(world.gen_user))).json()
    assert listed["total"] == 2 and all(c["manifest_id"] is None for c in listed["items"])
    again = await ledger.manifest_from(cs)  # they can go on a new manifest
    assert again["lines"][0]["container_count"] == 2
    r = await client.delete(f"/api/v1/manifests/{again['id']}", headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    listed = (await client.get("/api/v1/containers?status=in_storage", headers=f.auth(world.gen_user))).json()
    assert listed["total"] == 2
