"""The truck and driver a generator names when filing (issue #14): the carrier's fleet as the
form shows it (permits judged on the pickup day, trucks, drivers by name), the checks that the
truck and driver are the carrier's, and the record (the draft event, replayed by verification)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import World
from waste_tracker import clock
from waste_tracker.manifest.verify import verify_manifest


async def test_the_fleet_as_the_generator_sees_it(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    other = await f.permit(session, org=world.carrier, hazardous=False, valid_to=clock.today() - timedelta(days=1))
    gone = await f.user(session, role="driver", org=world.carrier)
    gone.is_active = False
    gone.display_name = "已离职"
    world.driver.display_name = "李师傅"
    await session.flush()
    r = await client.get(f"/api/v1/organisations/{world.carrier.id}/fleet", headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    fleet = r.json()
    by_number = {p["number"]: p for p in fleet["permits"]}
    assert by_number[other.number]["valid_on_day"] is False and by_number[other.number]["days_left"] == -1
    assert [p["valid_on_day"] for n, p in by_number.items() if n != other.number] == [True]
    assert [v["plate"] for v in fleet["vehicles"]] == [world.truck.plate]
    assert fleet["vehicles"][0]["permit_valid_to"] == "2030-12-31"
    assert fleet["drivers"] == [{"id": str(world.driver.id), "name": "李师傅"}]  # no former drivers, no phone numbers
    # Judged on the pickup day asked about: in 2031 no permit is valid.
    later = (
        await client.get(f"/api/v1/organisations/{world.carrier.id}/fleet?on=2031-01-02", headers=f.auth(world.gen_user))
    ).json()
    assert not any(p["valid_on_day"] for p in later["permits"])
    # Only carriers have a fleet.
    r = await client.get(f"/api/v1/organisations/{world.receiver.id}/fleet", headers=f.auth(world.gen_user))
    assert r.status_code == 404 and r.json()["code"] == "not_found"


async def test_named_truck_and_driver_are_the_carriers_and_on_the_record(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    rival = await f.organisation(session, roles=["carrier"])
    rival_truck = await f.vehicle(session, org=rival)
    rival_driver = await f.user(session, role="driver", org=rival)
    h = f.auth(world.gen_user)
    r = await client.post("/api/v1/manifests", json=world.body(planned_vehicle_plate=rival_truck.plate), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "planned_vehicle_not_carriers", r.text
    assert rival_truck.plate in r.json()["message"]
    r = await client.post("/api/v1/manifests", json=world.body(planned_driver_id=str(rival_driver.id)), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "planned_driver_not_carriers"
    r = await client.post("/api/v1/manifests", json=world.body(planned_driver_id=str(world.gen_user.id)), headers=h)
    assert r.status_code == 422 and r.json()["code"] == "planned_driver_not_carriers"  # not a driver at all

    body = world.body(planned_vehicle_plate=world.truck.plate.lower(), planned_driver_id=str(world.driver.id))
    r = await client.post("/api/v1/manifests", json=body, headers=h)
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["planned_vehicle_plate"], m["planned_driver_id"]) == (world.truck.plate, str(world.driver.id))
    # Cleared on the draft with "": a new draft event, replayed by verification like every column.
    r = await client.patch(f"/api/v1/manifests/{m['id']}", json={"planned_driver_id": ""}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["planned_driver_id"] is None and r.json()["planned_vehicle_plate"] == world.truck.plate
    check = await verify_manifest(session, uuid.UUID(m["id"]))
    assert check.ok, check.breaks
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=h)
    assert r.status_code == 200, r.text
    events = (await client.get(f"/api/v1/manifests/{m['id']}/events", headers=h)).json()
    assert events[0]["payload"]["planned_driver_id"] == str(world.driver.id)
    assert events[1]["payload"]["planned_driver_id"] is None
