"""Handover between carriers (Art. 17): up to five carriers in order, each with its permit; the
next carrier's driver takes the load over at the listed site with both plates and the quantity
checked; each leg has its own track; out-of-turn scans get their codes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World, token_of
from waste_tracker import clock
from waste_tracker.manifest.verify import verify_manifest
from waste_tracker.models import Organisation, Site, User, Vehicle

T0 = clock.at(2026, 11, 18, 9, 0)
TRANSIT_AT = (120.7500, 30.7950)  # between 南湖 and 秀洲


@dataclass
class Second:
    carrier: Organisation
    driver: User
    truck: Vehicle
    transit: Site


async def _second(session: AsyncSession, permit: bool = True) -> Second:
    carrier = await f.organisation(session, roles=["carrier"], name="接力危运有限公司")
    p = await f.permit(session, org=carrier, hazardous=True) if permit else None
    truck = await f.vehicle(session, org=carrier, permit_id=p.id if p else None)
    transit = await f.site(session, org=carrier, at=TRANSIT_AT, name="嘉兴中转站", kind="transit")
    return Second(carrier, await f.user(session, role="driver", org=carrier), truck, transit)


def _with_handover(world: World, s: Second) -> dict[str, Any]:
    return world.body(handovers=[{"carrier_org_id": str(s.carrier.id), "site_id": str(s.transit.id)}])


async def _scan(client, m: dict[str, Any], driver: User, action: str, at, when, **extra: Any):  # type: ignore[no-untyped-def]
    body = {"token": token_of(m), "action": action, "device_time": clock.local(when).isoformat(), "accuracy_m": 6}
    if at:
        body["lon"], body["lat"] = at
    body.update(extra)
    return await client.post("/api/v1/scans", json=body, headers=f.auth(driver))


async def _points(client, m: dict[str, Any], driver: User, start, minutes: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    pts = [
        {"recorded_at": clock.local(start + timedelta(minutes=i)).isoformat(), "lon": 120.78, "lat": 30.76 + i * 0.0005}
        for i in range(minutes)
    ]
    r = await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": pts}, headers=f.auth(driver))
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_load_handed_over_between_two_carriers(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    s = await _second(session)
    rcv = tuple(world.rcv_site and (await flow.create())["receiver"]["location"]["coordinates"])
    with clock.frozen(T0) as clk:
        m = await flow.submitted(_with_handover(world, s))
        got = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.gen_user))).json()
        assert [(h["position"], h["organisation_name"], h["site_name"], h["taken_over"]) for h in got["handovers"]] == [
            (2, "接力危运有限公司", "嘉兴中转站", False)
        ]
        # The second carrier's driver sees the load it will take over.
        listed = (await client.get("/api/v1/manifests", headers=f.auth(s.driver))).json()["items"]
        assert m["id"] in [x["id"] for x in listed]

        # Out of turn: the second carrier cannot pick up; a stranger is not on the list.
        r = await _scan(client, m, s.driver, "pickup", f.POINTS[330402], T0, vehicle_plate=s.truck.plate, quantity_kg="1500")
        assert r.status_code == 409 and r.json()["code"] == "carrier_out_of_order", r.text
        assert r.json()["details"]["expected_position"] == 1 and r.json()["details"]["your_positions"] == [2]
        r = await _scan(client, m, world.other_driver, "pickup", f.POINTS[330402], T0, vehicle_plate=world.truck.plate)
        assert r.status_code == 403 and r.json()["code"] == "wrong_carrier"

        r = await _scan(
            client, m, world.driver, "pickup", f.POINTS[330402], T0, vehicle_plate=world.truck.plate, quantity_kg="1500"
        )
        assert r.status_code == 201, r.text
        clk.set(T0 + timedelta(minutes=30))
        await _points(client, m, world.driver, T0, 25)

        # The first carrier may not drop off: the load must change hands first.
        r = await _scan(client, m, world.driver, "dropoff", rcv, clk.now())
        assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
        assert r.json()["details"]["allowed"] == ["handover"]
        r = await _scan(
            client, m, world.driver, "handover", TRANSIT_AT, clk.now(), vehicle_plate=world.truck.plate, quantity_kg="1500"
        )
        assert r.status_code == 409 and r.json()["code"] == "carrier_out_of_order"
        r = await _scan(client, m, s.driver, "handover", TRANSIT_AT, clk.now(), vehicle_plate=s.truck.plate)
        assert r.status_code == 422 and r.json()["code"] == "handover_quantity_required"
        r = await _scan(
            client, m, s.driver, "handover", TRANSIT_AT, clk.now(), vehicle_plate=world.truck.plate, quantity_kg="1500"
        )
        assert r.status_code == 422 and r.json()["code"] == "unknown_vehicle"  # the new truck is the second carrier's

        handed = clk.now()
        r = await _scan(
            client,
            m,
            s.driver,
            "handover",
            TRANSIT_AT,
            handed,
            vehicle_plate=s.truck.plate,
            from_vehicle_plate=world.truck.plate,
            quantity_kg="1498",
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "in_transit" and r.json()["findings"] == []
        ev = r.json()["event"]
        assert ev["type"] == "handed_over" and ev["vehicle_plate"] == s.truck.plate
        assert ev["payload"]["from_vehicle_plate"] == world.truck.plate and ev["payload"]["position"] == 2

        clk.set(T0 + timedelta(minutes=60))
        # The first carrier's phone, still recording after the handover: kept apart.
        late = await _points(client, m, world.driver, T0 + timedelta(minutes=31), 5)
        assert late["outside_window"] == 5
        mine = await _points(client, m, s.driver, T0 + timedelta(minutes=31), 25)
        assert mine["outside_window"] == 0 and mine["added"] == 25

        r = await _scan(client, m, world.driver, "dropoff", rcv, clk.now())
        assert r.status_code == 409 and r.json()["code"] == "carrier_out_of_order"
        r = await _scan(client, m, s.driver, "dropoff", rcv, clk.now())
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "delivered"

    track = (await client.get(f"/api/v1/tracks/{m['id']}", headers=f.auth(world.gen_user))).json()
    legs = track["legs"]
    assert [(x["position"], x["carrier_org_id"], x["vehicle_plate"], x["points"]) for x in legs] == [
        (1, str(world.carrier.id), world.truck.plate, 25),
        (2, str(s.carrier.id), s.truck.plate, 25),
    ]
    assert legs[0]["end"] == legs[1]["start"] and legs[1]["quantity_kg"] == "1498.000"
    assert sorted(x["properties"]["leg"] for x in track["features"] if x["properties"]["kind"] == "track") == [1, 2]
    assert track["outside_window"] == 5
    got = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.gen_user))).json()
    assert got["leg"] == 2 and got["handovers"][0]["taken_over"] is True
    # The record holds: the chain and the projection (carriers, leg) replay from the events.
    assert (await verify_manifest(session, uuid.UUID(m["id"]))).ok
    assert "handover_quantity_gap" not in await alerts_of(session, m["id"])


async def test_the_list_of_carriers_is_checked(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    s = await _second(session, permit=False)
    h = {"carrier_org_id": str(s.carrier.id), "site_id": str(s.transit.id)}

    async def create(handovers: list[dict[str, str]]):  # type: ignore[no-untyped-def]
        return await client.post("/api/v1/manifests", json=world.body(handovers=handovers), headers=f.auth(world.gen_user))

    r = await create([h] * 5)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"  # five more: six carriers in all
    r = await create([{**h, "carrier_org_id": str(world.carrier.id)}])
    assert r.status_code == 422 and r.json()["code"] == "handover_to_same_carrier"
    r = await create([{**h, "carrier_org_id": str(world.generator.id)}])
    assert r.status_code == 422 and r.json()["code"] == "invalid_carrier" and r.json()["details"]["position"] == 2
    r = await create([{**h, "site_id": str(uuid.uuid4())}])
    assert r.status_code == 422 and r.json()["code"] == "invalid_handover_site"
    # A second carrier without a transport permit: refused at submission, naming its place.
    m = (await create([h])).json()
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 422 and r.json()["code"] == "carrier_not_permitted", r.text
    assert r.json()["details"]["position"] == 2
    # The draft can drop the handover and go as a one-carrier transfer.
    r = await client.patch(f"/api/v1/manifests/{m['id']}", json={"handovers": []}, headers=f.auth(world.gen_user))
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(world.gen_user))
    assert r.status_code == 200 and r.json()["handovers"] == []


async def test_a_handover_away_from_its_site_and_short_of_waste(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    s = await _second(session)
    with clock.frozen(T0) as clk:
        m = await flow.submitted(_with_handover(world, s))
        r = await _scan(
            client, m, world.driver, "pickup", f.POINTS[330402], T0, vehicle_plate=world.truck.plate, quantity_kg="1500"
        )
        assert r.status_code == 201, r.text
        clk.set(T0 + timedelta(minutes=40))
        far = (120.90, 30.72)  # 8 km east of the transit site, in a field
        r = await _scan(client, m, s.driver, "handover", far, clk.now(), vehicle_plate=s.truck.plate, quantity_kg="1100")
        assert r.status_code == 201, r.text
        assert [x["code"] for x in r.json()["findings"]] == ["scan_outside_geofence"]
    fired = await alerts_of(session, m["id"])
    assert "scan_outside_geofence" in fired
    gap = fired["handover_quantity_gap"].evidence
    assert (gap["before_kg"], gap["handed_over_kg"], gap["difference_kg"], gap["position"]) == (
        "1500.000",
        "1100.000",
        "-400.000",
        2,
    )


async def test_a_rejected_relay_goes_back_with_the_last_carrier(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    s = await _second(session)
    rcv = tuple((await flow.create())["receiver"]["location"]["coordinates"])
    with clock.frozen(T0) as clk:
        m = await flow.submitted(_with_handover(world, s))
        pickup = {"vehicle_plate": world.truck.plate, "quantity_kg": "1500"}
        assert (await _scan(client, m, world.driver, "pickup", f.POINTS[330402], T0, **pickup)).status_code == 201
        clk.set(T0 + timedelta(minutes=30))
        over = {"vehicle_plate": s.truck.plate, "quantity_kg": "1500"}
        assert (await _scan(client, m, s.driver, "handover", TRANSIT_AT, clk.now(), **over)).status_code == 201
        clk.set(T0 + timedelta(minutes=60))
        assert (await _scan(client, m, s.driver, "dropoff", rcv, clk.now())).status_code == 201
        r = await flow.receive(m, "rejected", reason="含水率超标，拒收")
        assert r.status_code == 200, r.text
        r = await client.post(f"/api/v1/manifests/{m['id']}/return", json={"note": "退回"}, headers=f.auth(world.gen_user))
        assert r.status_code == 200, r.text
        # The carrier that brought it takes it back; the first carrier is out of turn.
        back = {"vehicle_plate": world.truck.plate}
        r = await _scan(client, m, world.driver, "pickup", rcv, clk.now(), **back)
        assert r.status_code == 409 and r.json()["code"] == "carrier_out_of_order"
        r = await _scan(client, m, s.driver, "pickup", rcv, clk.now(), vehicle_plate=s.truck.plate)
        assert r.status_code == 201 and r.json()["status"] == "returning", r.text


def _drive(a: tuple[float, float], b: tuple[float, float], start, minutes: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [
        {
            "recorded_at": clock.local(start + timedelta(minutes=i)).isoformat(),
            "lon": a[0] + (b[0] - a[0]) * i / minutes,
            "lat": a[1] + (b[1] - a[1]) * i / minutes,
        }
        for i in range(1, minutes + 1)
    ]


async def test_a_load_waiting_at_the_transfer_station_is_no_gap(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    s = await _second(session)
    a = f.POINTS[330402]
    rcv: tuple[float, float] = tuple((await flow.create())["receiver"]["location"]["coordinates"])  # type: ignore[assignment]
    with clock.frozen(T0) as clk:
        m = await flow.submitted(_with_handover(world, s))
        pickup = {"vehicle_plate": world.truck.plate, "quantity_kg": "1500"}
        assert (await _scan(client, m, world.driver, "pickup", a, T0, **pickup)).status_code == 201
        clk.set(T0 + timedelta(minutes=80))
        leg1 = _drive(a, TRANSIT_AT, T0, 20)  # then an hour at the station with the phone off
        r = await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": leg1}, headers=f.auth(world.driver))
        assert r.status_code == 201 and r.json()["outside_window"] == 0
        over = {"vehicle_plate": s.truck.plate, "quantity_kg": "1500"}
        assert (await _scan(client, m, s.driver, "handover", TRANSIT_AT, clk.now(), **over)).status_code == 201
        clk.set(T0 + timedelta(minutes=100))
        leg2 = _drive(TRANSIT_AT, rcv, T0 + timedelta(minutes=80), 19)
        r = await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": leg2}, headers=f.auth(s.driver))
        assert r.status_code == 201 and r.json()["outside_window"] == 0
        assert (await _scan(client, m, s.driver, "dropoff", rcv, clk.now())).status_code == 201
    fired = await alerts_of(session, m["id"])
    assert not {"track_gap", "stop_away_from_site", "off_corridor"} & set(fired), {k: v.evidence for k, v in fired.items()}


async def test_a_phone_off_between_two_sites_is_a_gap(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    a = f.POINTS[330402]
    with clock.frozen(T0) as clk:
        m = await flow.submitted()
        rcv = tuple(m["receiver"]["location"]["coordinates"])
        assert (await _scan(client, m, world.driver, "pickup", a, T0, vehicle_plate=world.truck.plate)).status_code == 201
        clk.set(T0 + timedelta(minutes=60))
        # Two minutes at the generator, nothing on the road, two minutes at the receiver.
        pts = _drive(a, a, T0, 2) + _drive(rcv, rcv, T0 + timedelta(minutes=55), 2)  # type: ignore[arg-type]
        r = await client.post(f"/api/v1/tracks/{m['id']}/points", json={"points": pts}, headers=f.auth(world.driver))
        assert r.status_code == 201
        assert (await _scan(client, m, world.driver, "dropoff", rcv, clk.now())).status_code == 201
    gap = (await alerts_of(session, m["id"]))["track_gap"].evidence["gaps"][0]
    assert float(gap["minutes"]) > 50
