"""Scans: tokens, geofence, idempotency."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World, token_of
from waste_tracker import clock
from waste_tracker.models import Finding, ManifestEvent


async def _count_events(session: AsyncSession, mid: str) -> int:
    return (
        await session.execute(select(func.count()).select_from(ManifestEvent).where(ManifestEvent.manifest_id == mid))
    ).scalar_one()


async def test_forged_truncated_and_unknown_tokens(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    good = token_of(m)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    other_number = f"v1.{int(m['number']) + 1}.{good.split('.')[2]}"
    for bad in (forged, good[:-1], good[:10], "garbage", other_number, "", "v1." + m["number"] + "."):
        r = await client.post(
            "/api/v1/scans",
            json={"token": bad, "action": "pickup", "vehicle_plate": world.truck.plate},
            headers=f.auth(world.driver),
        )
        assert r.status_code == 422, bad
        assert r.json()["code"] in ("invalid_qr_token", "validation_error"), bad
    assert await _count_events(session, m["id"]) == 2


async def test_token_stops_working_when_closed(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    await flow.receive(m)
    await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=f.auth(world.rcv_user),
        json={"method_code": "D10", "disposed_on": str(clock.today()), "quantity": "1500"},
    )
    r = await flow.scan(m, "dropoff", f.POINTS[330411])
    assert r.status_code == 409 and r.json()["code"] == "manifest_closed"


async def test_geofence_and_missing_location(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    lon, lat = f.POINTS[330402]
    r = await flow.scan(m, "pickup", (lon + 0.02, lat))  # about 1.9 km east of the site
    assert r.status_code == 201
    finding = r.json()["findings"][0]
    assert finding["code"] == "scan_outside_geofence"
    assert 1800 < float(finding["distance_m"]) < 2100
    assert finding["radius_m"] == "500.0"
    r = await flow.scan(m, "dropoff", None)
    assert r.status_code == 201
    assert [x["code"] for x in r.json()["findings"]] == ["scan_without_location"]
    stored = (await session.execute(select(Finding.code).where(Finding.manifest_id == m["id"]).order_by(Finding.id))).scalars()
    assert list(stored) == ["scan_outside_geofence", "scan_without_location"]
    detail = (await client.get(f"/api/v1/manifests/{m['id']}", headers=f.auth(world.city_regulator))).json()
    assert [x["code"] for x in detail["findings"]] == ["scan_outside_geofence", "scan_without_location"]


async def test_scan_inside_the_geofence_has_no_finding(world: World, flow: Flow) -> None:
    m = await flow.submitted()
    lon, lat = f.POINTS[330402]
    r = await flow.scan(m, "pickup", (lon + 0.003, lat))  # ~290 m
    assert r.json()["findings"] == []


async def test_pickup_needs_a_registered_vehicle(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    r = await flow.scan(m, "pickup", f.POINTS[330402], vehicle_plate=None)
    assert r.status_code == 422 and r.json()["code"] == "vehicle_required"
    r = await flow.scan(m, "pickup", f.POINTS[330402], vehicle_plate="浙A99999")
    assert r.status_code == 422 and r.json()["code"] == "unknown_vehicle"


async def test_bad_scan_input(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    base = {"token": token_of(m), "action": "pickup", "vehicle_plate": world.truck.plate}
    h = f.auth(world.driver)
    for extra in (
        {"lon": 200, "lat": 30},
        {"lon": 120, "lat": -91},
        {"lon": 120},
        {"lon": "NaN", "lat": 30},
        {"device_time": "2026-11-29T08:00:00"},
        {"quantity_kg": "-1"},
        {"action": "teleport"},
        {"device_time": (clock.now() + timedelta(days=400)).isoformat()},
    ):
        r = await client.post("/api/v1/scans", json=base | extra, headers=h)
        assert r.status_code == 422, extra
        assert set(r.json()) == {"code", "message", "details"}
    assert await _count_events(session, m["id"]) == 2


async def test_idempotent_retry_and_key_reuse(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    body = {
        "token": token_of(m),
        "action": "pickup",
        "vehicle_plate": world.truck.plate,
        "lon": f.POINTS[330402][0],
        "lat": f.POINTS[330402][1],
    }
    h = f.auth(world.driver) | {"Idempotency-Key": "scan-0001"}
    first = await client.post("/api/v1/scans", json=body, headers=h)
    assert first.status_code == 201
    again = await client.post("/api/v1/scans", json=body, headers=h)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await _count_events(session, m["id"]) == 3
    r = await client.post("/api/v1/scans", json=body | {"quantity_kg": "999"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    # Without the key, a second pickup is simply the wrong moment.
    r = await client.post("/api/v1/scans", json=body, headers=f.auth(world.driver))
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert await _count_events(session, m["id"]) == 3


async def test_idempotent_manifest_creation(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    h = f.auth(world.gen_user) | {"Idempotency-Key": "erp-order-42"}
    a = await client.post("/api/v1/manifests", json=world.body(), headers=h)
    b = await client.post("/api/v1/manifests", json=world.body(), headers=h)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] == b.json()["id"]
    items = (await client.get("/api/v1/manifests", headers=f.auth(world.gen_user))).json()["items"]
    assert len(items) == 1
    r = await client.post("/api/v1/manifests", json=world.body(notes="不同"), headers=h)
    assert r.json()["code"] == "idempotency_key_reused"


async def test_number_and_check_code_stand_for_the_token(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    """A driver whose camera fails types what the label prints: the number and the check code."""
    import uuid

    from tests.conftest import TEST_SECRET
    from waste_tracker.scan.tokens import check_code

    m = await flow.submitted()
    code = check_code(TEST_SECRET, uuid.UUID(m["id"]), m["number"])
    assert len(code) == 6 and not set(code) & set("ILOU")
    other = await flow.submitted()
    assert check_code(TEST_SECRET, uuid.UUID(other["id"]), other["number"]) != code
    base = {"action": "pickup", "vehicle_plate": world.truck.plate, "lon": 120.812, "lat": 30.719}

    async def scan(**kw: str):  # type: ignore[no-untyped-def]
        return await client.post("/api/v1/scans", json=base | kw, headers=f.auth(world.driver))

    wrong = "".join("0" if ch != "0" else "1" for ch in code)
    r = await scan(number=m["number"], check_code=wrong)
    assert r.status_code == 422 and r.json()["code"] == "invalid_check_code"
    r = await scan(number="20991231999999", check_code=code)  # no such number: the same answer
    assert r.status_code == 422 and r.json()["code"] == "invalid_check_code"
    r = await scan(number=m["number"])  # half of it
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = await scan(number=m["number"], check_code=code, token=token_of(m))  # both ways at once
    assert r.status_code == 422
    n = (await session.execute(select(func.count()).select_from(ManifestEvent))).scalar()
    # As typed: lower case, a dash, an O for a zero.
    typed = (code[:3] + "-" + code[3:]).lower().replace("0", "o")
    r = await scan(number=m["number"], check_code=typed)
    assert r.status_code == 201, r.text
    assert r.json()["event"]["type"] == "picked_up"
    assert (await session.execute(select(func.count()).select_from(ManifestEvent))).scalar() == n + 1
    label = await client.get(f"/api/v1/manifests/{m['id']}/label", headers=f.auth(world.gen_user))
    assert f"{code[:3]}-{code[3:]}" in label.text
