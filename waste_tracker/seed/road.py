"""The demo's road: a few recent journeys with their tracks, a relay between two carriers, the
weighbridge tickets at both ends, and an approved route — each through the real services, so the
manifest and alert pages have something to draw and the road rules something to say.

- 海宁皮革 → 海盐填埋场, relayed: 海宁安达 picks up and hands over at 绿通's transfer station to
  嘉兴绿通, who drops off (two legs, two tracks, the quantity checked at the handover).
- 南湖精细化工 → 焚烧厂 along the approved route (east of the straight line): no off_corridor;
  tickets at both ends that agree.
- 南湖精细化工 → 焚烧厂 with half an hour standing beside the example water-source zone:
  ``stop_away_from_site`` and ``protected_zone_entered``; the receiver's ticket 12 % lighter
  (``weight_mismatch``).
- A truck weighed in at the incinerator with no manifest (``unmatched_ticket``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.service import principal_for
from waste_tracker.config import get_settings
from waste_tracker.manifest import service as manifests
from waste_tracker.manifest.commands import Draft
from waste_tracker.models import Manifest, Organisation, Site, User
from waste_tracker.registry.organisations import create_site, site_lonlat
from waste_tracker.rules.sweep import run_sweep
from waste_tracker.scan import service as scans
from waste_tracker.scan.tokens import make_token
from waste_tracker.track import approved_routes, tickets
from waste_tracker.track import service as tracks
from waste_tracker.track.service import PointIn

TRANSIT = "绿通危废中转站"
TRANSIT_AT = (120.7200, 30.5600)  # 海宁盐官, between 海宁 and 海盐
USERS = (
    "nanhu-chem",
    "haining-leather",
    "jiaxing-incinerator",
    "haiyan-landfill",
    "lvtong-transport",
    "anda-logistics",
    "driver-lvtong",
    "driver-anda",
    "jiaxing-regulator",
)
Point = tuple[float, float]


def _line(a: Point, b: Point, start: datetime, minutes: int, every_s: int = 30) -> list[PointIn]:
    """A truck driving a→b at a steady pace, a point every ``every_s`` seconds."""
    n = max(1, minutes * 60 // every_s)
    return [
        PointIn(start + timedelta(seconds=i * every_s), a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n, 8.0, 45.0)
        for i in range(1, n + 1)
    ]


def _stand(at: Point, start: datetime, minutes: int) -> list[PointIn]:
    return [PointIn(start + timedelta(seconds=30 * i), at[0] + 0.00002 * (i % 3), at[1], 9.0, 0.0) for i in range(1, minutes * 2)]


class _Road:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self.settings = get_settings()
        self.p: dict[str, Principal] = {}
        self.site: dict[str, Site] = {}
        self.org: dict[str, Organisation] = {}

    async def load(self) -> None:
        for username in USERS:
            user = (await self.s.execute(select(User).where(User.username == username))).scalar_one()
            self.p[username] = await principal_for(self.s, user, self.settings)
            if user.role == "enterprise" and user.organisation_id:
                org = await self.s.get(Organisation, user.organisation_id)
                assert org is not None
                self.org[username] = org
                site = (
                    await self.s.execute(select(Site).where(Site.organisation_id == org.id).order_by(col(Site.name)))
                ).scalars()
                self.site[username] = next(iter(site))

    def at(self, username: str) -> Point:
        return site_lonlat(self.site[username])

    async def submitted(
        self, gen: str, rcv: str, carrier: str, code: str, form: str, kg: int, method: str, day: date, **extra: Any
    ) -> Manifest:
        org = self.org[gen]
        fields = {
            "generator_site_id": self.site[gen].id,
            "carrier_org_id": self.org[carrier].id,
            "receiver_site_id": self.site[rcv].id,
            "planned_method_code": method,
            "planned_pickup_date": day,
            "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
            "emergency_contact": org.contact_name or "张工",
            "emergency_phone": org.contact_phone or "0573-82000000",
            "lines": [
                {
                    "waste_code": code,
                    "physical_form": form,
                    "quantity": Decimal(kg),
                    "unit": "kg",
                    "container_type": "吨袋",
                    "container_count": max(1, kg // 800),
                }
            ],
            **extra,
        }
        with clock.frozen(clock.at(day.year, day.month, day.day, 8)):
            m = await manifests.create_draft(self.s, self.p[gen], Draft.of(fields))
            await manifests.submit(self.s, self.p[gen], m.id)
        return m

    async def scan(self, m: Manifest, driver: str, action: str, at: Point, when: datetime, **kw: Any) -> None:
        assert m.number is not None
        with clock.frozen(when):
            await scans.scan(
                self.s,
                self.p[driver],
                secret=self.settings.secret_key,
                token=make_token(self.settings.secret_key, m.id, m.number),
                action=action,
                lon=at[0],
                lat=at[1],
                accuracy_m=6.0,
                device_time=when,
                geofence_m=self.settings.geofence_radius_m,
                **{"vehicle_plate": None, "quantity_kg": None, **kw},
            )

    async def drive(self, m: Manifest, driver: str, points: list[PointIn]) -> None:
        with clock.frozen(points[-1].recorded_at + timedelta(minutes=1)):
            for i in range(0, len(points), 60):  # a phone's batches
                await tracks.add_points(self.s, self.p[driver], m.id, points[i : i + 60])

    async def receive(self, m: Manifest, rcv: str, kg: Decimal, when: datetime) -> None:
        with clock.frozen(when):
            await manifests.receive(
                self.s, self.p[rcv], m.id, decision="accepted", lines=[{"line_no": 1, "quantity": str(kg), "unit": "kg"}]
            )

    async def ticket(self, user: str, side: str, plate: str, net: int, when: datetime) -> None:
        with clock.frozen(when + timedelta(minutes=2)):
            t = tickets.TicketIn(plate, Decimal(net + 9800), Decimal(9800), Decimal(net), when, "SCALE-01")
            await tickets.post_tickets(self.s, self.p[user], self.site[user].id, side, [t])


async def seed_road(session: AsyncSession) -> dict[str, int]:
    """Add the demo's journeys (once: nothing if the transfer station is already there)."""
    if (await session.execute(select(col(Site.id)).where(Site.name == TRANSIT))).first():
        return {"journeys": 0}
    d = _Road(session)
    await d.load()
    transit = await create_site(
        session,
        None,
        organisation_id=d.org["lvtong-transport"].id,
        name=TRANSIT,
        lon=TRANSIT_AT[0],
        lat=TRANSIT_AT[1],
        address="海宁市盐官镇物流路 18 号",
        kind="transit",
    )
    today = clock.today()

    # 1. The relay: 海宁安达 to the transfer station, 嘉兴绿通 on to 海盐.
    day = today - timedelta(days=3)
    t0 = clock.at(day.year, day.month, day.day, 9)
    relay = {"carrier_org_id": d.org["lvtong-transport"].id, "site_id": transit.id}
    m = await d.submitted(
        "haining-leather", "haiyan-landfill", "anda-logistics", "193-002-21", "solid", 1600, "D1", day, handovers=[relay]
    )
    gen, rcv = d.at("haining-leather"), d.at("haiyan-landfill")
    await d.scan(m, "driver-anda", "pickup", gen, t0, vehicle_plate="浙FD2001", quantity_kg=Decimal(1600))
    await d.drive(m, "driver-anda", _line(gen, TRANSIT_AT, t0, 35) + _stand(TRANSIT_AT, t0 + timedelta(minutes=35), 15))
    handed = t0 + timedelta(minutes=50)
    await d.scan(
        m,
        "driver-lvtong",
        "handover",
        TRANSIT_AT,
        handed,
        vehicle_plate="浙FD1001",
        from_vehicle_plate="浙FD2001",
        quantity_kg=Decimal(1600),
    )
    await d.drive(m, "driver-lvtong", _line(TRANSIT_AT, rcv, handed, 40))
    await d.scan(m, "driver-lvtong", "dropoff", rcv, handed + timedelta(minutes=41))
    await d.receive(m, "haiyan-landfill", Decimal(1600), handed + timedelta(hours=2))

    # 2. Along the approved route, east of the straight line; tickets at both ends agree.
    gen, rcv = d.at("nanhu-chem"), d.at("jiaxing-incinerator")
    bend = ((gen[0] + rcv[0]) / 2 + 0.12, (gen[1] + rcv[1]) / 2)
    with clock.frozen(clock.at(today.year, 1, 2, 9) if today.month > 1 else clock.now()):
        await approved_routes.register(
            session,
            d.p["jiaxing-regulator"],
            pickup_site_id=d.site["nanhu-chem"].id,
            receiver_site_id=d.site["jiaxing-incinerator"].id,
            geojson={"type": "LineString", "coordinates": [list(gen), list(bend), list(rcv)]},
            valid_from=date(today.year, 1, 1),
            note="演示：嘉环审〔2026〕8 号，经东侧外环绕行，避开南湖水源保护区",
        )
    day = today - timedelta(days=2)
    t0 = clock.at(day.year, day.month, day.day, 9)
    # Filed naming the truck and the driver the generator expects (shown on the manifest and the driver's jobs).
    crew = {"planned_vehicle_plate": "浙FD1002", "planned_driver_id": d.p["driver-lvtong"].user_id}
    m = await d.submitted(
        "nanhu-chem", "jiaxing-incinerator", "lvtong-transport", "900-013-11", "semi_solid", 1800, "D10", day, **crew
    )
    await d.ticket("nanhu-chem", "generator", "浙FD1002", 1805, t0 - timedelta(minutes=15))
    await d.scan(m, "driver-lvtong", "pickup", gen, t0, vehicle_plate="浙FD1002", quantity_kg=Decimal(1805))
    await d.drive(m, "driver-lvtong", _line(gen, bend, t0, 25) + _line(bend, rcv, t0 + timedelta(minutes=25), 25))
    arrive = t0 + timedelta(minutes=51)
    await d.scan(m, "driver-lvtong", "dropoff", rcv, arrive)
    await d.ticket("jiaxing-incinerator", "receiver", "浙FD1002", 1800, arrive + timedelta(minutes=5))
    await d.receive(m, "jiaxing-incinerator", Decimal(1800), arrive + timedelta(hours=1))

    # 3. Half an hour beside the example water-source zone; the receiver weighs 12 % less.
    day = today - timedelta(days=1)
    t0 = clock.at(day.year, day.month, day.day, 9)
    pond = (120.7700, 30.7470)  # just south of 示例：南湖饮用水水源保护区
    m = await d.submitted("nanhu-chem", "jiaxing-incinerator", "lvtong-transport", "900-013-11", "semi_solid", 1800, "D10", day)
    await d.ticket("nanhu-chem", "generator", "浙FD1002", 1800, t0 - timedelta(minutes=15))
    await d.scan(m, "driver-lvtong", "pickup", gen, t0, vehicle_plate="浙FD1002", quantity_kg=Decimal(1800))
    trip = (
        _line(gen, pond, t0, 15) + _stand(pond, t0 + timedelta(minutes=15), 30) + _line(pond, rcv, t0 + timedelta(minutes=45), 25)
    )
    await d.drive(m, "driver-lvtong", trip)
    arrive = t0 + timedelta(minutes=71)
    await d.scan(m, "driver-lvtong", "dropoff", rcv, arrive)
    await d.ticket("jiaxing-incinerator", "receiver", "浙FD1002", 1584, arrive + timedelta(minutes=5))
    await d.receive(m, "jiaxing-incinerator", Decimal(1584), arrive + timedelta(hours=1))

    # 4. A truck weighed in at the incinerator with no manifest.
    await d.ticket("jiaxing-incinerator", "receiver", "浙FX7731", 6400, t0 + timedelta(hours=5))
    await run_sweep(session)
    return {"journeys": 3}
