"""A small city for manifest tests: a generator in 南湖区, a hazardous-waste carrier with a truck and a
driver, licensed receivers in 秀洲区 (hazardous), 嘉善县 (general) and Hangzhou (hazardous, other city)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories as f
from tests.conftest import TEST_SECRET
from waste_tracker import clock
from waste_tracker.models import Organisation, Site, User, Vehicle
from waste_tracker.scan.tokens import make_token


@dataclass
class World:
    generator: Organisation
    gen_site: Site
    gen_user: User
    carrier: Organisation
    carrier_user: User
    driver: User
    truck: Vehicle
    receiver: Organisation
    rcv_site: Site
    rcv_user: User
    general_receiver: Organisation
    general_site: Site
    far_receiver: Organisation
    far_site: Site
    far_user: User
    city_regulator: User
    nanhu_regulator: User
    haining_regulator: User
    other_generator_user: User
    other_driver: User

    def body(self, **over: Any) -> dict[str, Any]:
        b = {
            "generator_site_id": str(self.gen_site.id),
            "carrier_org_id": str(self.carrier.id),
            "receiver_site_id": str(self.rcv_site.id),
            "planned_method_code": "D10",
            "planned_pickup_date": str(today()),
            "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
            "emergency_contact": "王安全",
            "emergency_phone": "0573-82000000",
            "lines": [
                {
                    "waste_code": "900-249-08",
                    "physical_form": "liquid",
                    "quantity": "1.5",
                    "unit": "t",
                    "container_type": "200 L 钢桶",
                    "container_count": 8,
                }
            ],
        }
        b.update(over)
        return b

    def general_body(self, receiver_site: Site | None = None, **over: Any) -> dict[str, Any]:
        return self.body(
            receiver_site_id=str((receiver_site or self.general_site).id),
            planned_method_code="R15",
            lines=[
                {
                    "waste_code": "SW07",
                    "physical_form": "semi_solid",
                    "quantity": "12",
                    "unit": "t",
                    "container_type": "吨袋",
                    "container_count": 12,
                }
            ],
            **over,
        )


PICKUP_LEAD = timedelta(minutes=90)


def today() -> date:
    return clock.today()


def token_of(m: dict[str, Any]) -> str:
    import uuid

    return make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"])


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)


async def build_world(session: AsyncSession) -> World:
    gen = await f.organisation(session, roles=["generator"], name="测试化工有限公司")
    gen_site = await f.site(session, org=gen, county=330402)
    carrier = await f.organisation(session, roles=["carrier"], name="测试危运有限公司")
    permit = await f.permit(session, org=carrier, hazardous=True)
    truck = await f.vehicle(session, org=carrier, permit_id=permit.id)
    receiver = await f.organisation(session, roles=["receiver"], name="测试焚烧厂")
    rcv_site = await f.site(session, org=receiver, county=330411)
    await f.licence(session, site=rcv_site, categories=["HW08", "HW49", "HW06"], methods=["D10", "R9"])
    general_receiver = await f.organisation(session, roles=["receiver"], name="测试一般固废利用")
    general_site = await f.site(session, org=general_receiver, county=330421)
    await f.licence(session, site=general_site, kind="general", categories=["SW07", "SW59"], methods=["R15"])
    far = await f.organisation(session, roles=["receiver"], name="外市焚烧厂")
    far_site = await f.site(session, org=far, county=330109)
    await f.licence(session, site=far_site, categories=["HW08", "HW49"], methods=["D10"])
    other_gen = await f.organisation(session, roles=["generator"])
    other_carrier = await f.organisation(session, roles=["carrier"])
    return World(
        generator=gen,
        gen_site=gen_site,
        gen_user=await f.user(session, org=gen),
        carrier=carrier,
        carrier_user=await f.user(session, org=carrier),
        driver=await f.user(session, role="driver", org=carrier),
        truck=truck,
        receiver=receiver,
        rcv_site=rcv_site,
        rcv_user=await f.user(session, org=receiver),
        general_receiver=general_receiver,
        general_site=general_site,
        far_receiver=far,
        far_site=far_site,
        far_user=await f.user(session, org=far),
        city_regulator=await f.user(session, role="regulator", jurisdiction=330400),
        nanhu_regulator=await f.user(session, role="regulator", jurisdiction=330402),
        haining_regulator=await f.user(session, role="regulator", jurisdiction=330481),
        other_generator_user=await f.user(session, org=other_gen),
        other_driver=await f.user(session, role="driver", org=other_carrier),
    )


class Flow:
    """Drive a manifest through the API, asserting each step succeeds."""

    def __init__(self, client, world: World) -> None:  # type: ignore[no-untyped-def]
        self.c = client
        self.w = world

    async def create(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.c.post("/api/v1/manifests", json=body or self.w.body(), headers=f.auth(self.w.gen_user))
        assert r.status_code == 201, r.text
        return r.json()

    async def submitted(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        m = await self.create(body)
        r = await self.c.post(f"/api/v1/manifests/{m['id']}/submit", headers=f.auth(self.w.gen_user))
        assert r.status_code == 200, r.text
        return r.json()

    async def scan(
        self, m: dict[str, Any], action: str, at: tuple[float, float] | None = None, driver: User | None = None, **extra: Any
    ):  # type: ignore[no-untyped-def]
        # A pickup an hour and a half before "now" (the phone's clock says when): the tests' loads
        # are not teleported 20 km in a millisecond, which impossible_movement would rightly flag.
        at_time = clock.now() - (PICKUP_LEAD if action == "pickup" else timedelta(0))
        body: dict[str, Any] = {
            "token": token_of(m),
            "action": action,
            "vehicle_plate": self.w.truck.plate,
            "device_time": clock.local(at_time).isoformat(),
            "accuracy_m": 8.5,
        }
        if at:
            body["lon"], body["lat"] = at
        body.update(extra)
        return await self.c.post("/api/v1/scans", json=body, headers=f.auth(driver or self.w.driver))

    async def delivered(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        m = await self.submitted(body)
        r = await self.scan(m, "pickup", f.POINTS[330402])
        assert r.status_code == 201, r.text
        r = await self.scan(m, "dropoff", tuple(m["receiver"]["location"]["coordinates"]))
        assert r.status_code == 201, r.text
        return m

    async def receive(
        self,
        m: dict[str, Any],
        decision: str = "accepted",
        kg: str = "1500",
        accepted: str | None = None,
        reason: str | None = None,
    ):  # type: ignore[no-untyped-def]
        line = {"line_no": 1, "quantity": kg, "unit": "kg"}
        if accepted is not None:
            line["accepted_quantity"] = accepted
        user = self.w.rcv_user if m["receiver"]["organisation_id"] == str(self.w.receiver.id) else self.w.far_user
        return await self.c.post(
            f"/api/v1/manifests/{m['id']}/receive",
            json={"decision": decision, "lines": [line], "reason": reason},
            headers=f.auth(user),
        )


@pytest.fixture
def flow(client, world: World) -> Flow:  # type: ignore[no-untyped-def]
    return Flow(client, world)


@pytest.fixture
async def live(committed: AsyncEngine, settings) -> AsyncIterator[tuple[World, httpx.AsyncClient]]:  # type: ignore[no-untyped-def]
    """A committed world and an API client whose requests commit (for checks from other connections)."""
    from api.app import create_app

    async with AsyncSession(committed, expire_on_commit=False) as s:
        w = await build_world(s)
        await s.commit()
    app = create_app(settings, committed)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=60) as c:
        yield w, c
