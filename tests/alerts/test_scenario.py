"""A day in the demo city: manifests between the demo organisations, with planted violations.
After the day's events and a sweep a month later, exactly the expected alerts exist."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import today
from waste_tracker import clock
from waste_tracker.models import Alert, Organisation, Site, User
from waste_tracker.rules.sweep import run_sweep
from waste_tracker.scan.tokens import make_token
from waste_tracker.seed.demo import seed

SECRET = "test-secret-key-that-is-long-enough-0123456789"


class DemoCity:
    def __init__(self, session: AsyncSession, client) -> None:  # type: ignore[no-untyped-def]
        self.s = session
        self.c = client

    async def user(self, name: str) -> dict[str, str]:
        return f.auth((await self.s.execute(select(User).where(User.username == name))).scalar_one())

    async def site(self, username: str) -> Site:
        u = (await self.s.execute(select(User).where(User.username == username))).scalar_one()
        return (await self.s.execute(select(Site).where(Site.organisation_id == u.organisation_id))).scalars().first()

    async def org(self, username: str) -> Organisation:
        u = (await self.s.execute(select(User).where(User.username == username))).scalar_one()
        return await self.s.get(Organisation, u.organisation_id)

    async def manifest(self, gen: str, rcv: str, code: str, kg: str, method: str, carrier: str = "lvtong-transport") -> dict:
        body = {
            "generator_site_id": str((await self.site(gen)).id),
            "carrier_org_id": str((await self.org(carrier)).id),
            "receiver_site_id": str((await self.site(rcv)).id),
            "planned_method_code": method,
            "planned_pickup_date": str(today()),
            "emergency_measures": "防渗漏，严禁烟火，发生泄漏立即围堵并报告。",
            "emergency_contact": "值班员",
            "emergency_phone": "0573-12345678",
            "lines": [
                {"waste_code": code, "physical_form": "solid", "quantity": kg, "container_type": "吨袋", "container_count": 2}
            ],
        }
        h = await self.user(gen)
        r = await self.c.post("/api/v1/manifests", json=body, headers=h)
        assert r.status_code == 201, r.text
        r = await self.c.post(f"/api/v1/manifests/{r.json()['id']}/submit", headers=h)
        assert r.status_code == 200, r.text
        return r.json()

    async def scan(self, m: dict, action: str, at: tuple[float, float]) -> None:
        import uuid

        body = {
            "token": make_token(SECRET, uuid.UUID(m["id"]), m["number"]),
            "action": action,
            "vehicle_plate": "浙FD1001",
            "lon": at[0],
            "lat": at[1],
            "accuracy_m": 10,
            # the phone's clock: picked up an hour and a half earlier (not teleported; see impossible_movement)
            "device_time": (clock.now() - (timedelta(minutes=90) if action == "pickup" else timedelta(0))).isoformat(),
        }
        r = await self.c.post("/api/v1/scans", json=body, headers=await self.user("driver-lvtong"))
        assert r.status_code == 201, r.text

    async def at(self, username: str) -> tuple[float, float]:
        site = await self.site(username)
        from geoalchemy2.shape import to_shape

        p = to_shape(site.location)
        return p.x, p.y

    async def receive(self, m: dict, rcv: str, kg: str) -> None:
        r = await self.c.post(
            f"/api/v1/manifests/{m['id']}/receive",
            headers=await self.user(rcv),
            json={"decision": "accepted", "lines": [{"line_no": 1, "quantity": kg}]},
        )
        assert r.status_code == 200, r.text


async def test_a_day_in_the_demo_city(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    await seed(session)
    city = DemoCity(session, client)
    # 1. Clean: solvent from 南湖 to the 海宁 recovery plant, through to disposal.
    clean = await city.manifest("nanhu-chem", "haining-solvent", "900-402-06", "2000", "R2")
    await city.scan(clean, "pickup", await city.at("nanhu-chem"))
    await city.scan(clean, "dropoff", await city.at("haining-solvent"))
    await city.receive(clean, "haining-solvent", "1990")
    r = await client.post(
        f"/api/v1/manifests/{clean['id']}/dispose",
        headers=await city.user("haining-solvent"),
        json={"method_code": "R2", "disposed_on": str(today()), "quantity": "1990"},
    )
    assert r.status_code == 200
    # 2. Planted: waste oil for 平湖 dropped off in Shanghai instead.
    dumped = await city.manifest("nanhu-autoparts", "pinghu-oil", "900-214-08", "3000", "R9")
    await city.scan(dumped, "pickup", await city.at("nanhu-autoparts"))
    await city.scan(dumped, "dropoff", f.POINTS[310116])
    # 3. Planted: dye residue picked up, never dropped off.
    vanished = await city.manifest("xiuzhou-dyeing", "jiaxing-incinerator", "264-011-12", "1200", "D10")
    await city.scan(vanished, "pickup", await city.at("xiuzhou-dyeing"))
    # 4. Planted: plating sludge arrives 20 % light.
    light = await city.manifest("jiashan-plating", "haiyan-landfill", "336-064-17", "5000", "D1")
    await city.scan(light, "pickup", await city.at("jiashan-plating"))
    await city.scan(light, "dropoff", await city.at("haiyan-landfill"))
    await city.receive(light, "haiyan-landfill", "4000")
    # 5. Planted: submitted and forgotten.
    forgotten = await city.manifest("pinghu-fibre", "jiaxing-incinerator", "900-041-49", "800", "D10")
    # 6. Planted: delivered, never confirmed by the receiver.
    unconfirmed = await city.manifest("tongxiang-fibre", "jiaxing-incinerator", "900-041-49", "600", "D10")
    await city.scan(unconfirmed, "pickup", await city.at("tongxiang-fibre"))
    await city.scan(unconfirmed, "dropoff", await city.at("jiaxing-incinerator"))

    report = await run_sweep(session, now=clock.now() + timedelta(days=31))
    assert report.ran
    rows = (await session.execute(select(Alert))).scalars().all()
    number = {m["id"]: m["number"] for m in (clean, dumped, vanished, light, forgotten, unconfirmed)}
    got = {(number[str(a.manifest_id)], a.rule_id) for a in rows}
    assert got == {
        (dumped["number"], "hazardous_left_city"),
        (dumped["number"], "dropoff_not_at_receiver"),
        (dumped["number"], "scan_outside_geofence"),
        (dumped["number"], "delivered_not_received"),  # "delivered" somewhere, never confirmed
        (vanished["number"], "in_transit_too_long"),
        (light["number"], "quantity_discrepancy"),
        (light["number"], "receipt_exception"),  # the weight differs at receipt: reported at once
        (forgotten["number"], "not_picked_up"),
        (unconfirmed["number"], "delivered_not_received"),
    }
    assert all(a.status == "open" for a in rows)
    # The city regulator's queue shows all of them; 海宁's regulator only what touches 海宁 (none).
    assert len((await client.get("/api/v1/alerts", headers=await city.user("jiaxing-regulator"))).json()["items"]) == 9
    assert (await client.get("/api/v1/alerts", headers=await city.user("haining-regulator"))).json()["items"] == []
