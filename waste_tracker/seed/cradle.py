"""A year of plausible ledger records for the demo generators, shipped on manifests month by
month, with plans, declarations and receivers' balances — and one case that fires each of the
cradle's rules (docs/ledger.md):

- 南湖精细化工 (key unit): two oil drums stored for over a year (``stored_too_long``); last
  month almost no contaminated packaging while production went on (``generation_below_plan``);
  the last two monthly declarations not submitted (``declaration_overdue``).
- 秀洲印染 (simplified): a manifest typed by hand for more dye waste than its store holds
  (``shipped_more_than_stored``).
- 嘉善电镀 (key): no generation record for 45 days (``ledger_silent``); a manifest for a waste
  its plan does not list (``manifest_outside_plan``).
- 海宁皮革 (simplified): shipped more chrome waste than planned (``plan_quantity_exceeded``), and
  last month's bags still in store, over three months of the plan's pace (``stored_beyond_plan``).
- 嘉兴港区石化 (平湖): keeps a ledger but filed no plan this year (``plan_not_filed``).
- 嘉兴焚烧厂 (receiver): last month's balance accounts for less than it received
  (``receiver_intake_unbalanced``).

Every record goes through the real services at its own time (the clock is moved), so events,
chains, numbers and alerts are what the live system would have made. Idempotent: nothing is
added when the first generator already has a ledger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.service import principal_for
from waste_tracker.config import get_settings
from waste_tracker.declaration import service as declarations
from waste_tracker.declaration.periods import due_periods, period
from waste_tracker.ledger import service as ledger
from waste_tracker.manifest import service as manifests
from waste_tracker.manifest.commands import Draft
from waste_tracker.models import Licence, Organisation, Site, User, WasteContainer
from waste_tracker.plan import service as plans
from waste_tracker.registry.organisations import site_lonlat
from waste_tracker.rules.sweep import run_sweep
from waste_tracker.scan import service as scans
from waste_tracker.scan.tokens import make_token

log = logging.getLogger("waste_tracker.seed")


@dataclass(frozen=True)
class Stream:
    """One waste of one generator: what a container holds, how many a month, where it goes."""

    code: str
    form: str
    container: str
    volume_l: int
    net_kg: int
    per_month: int
    receiver: str  # demo username of the receiver
    method: str
    components: str = ""


GENERATORS: dict[str, list[Stream]] = {
    "nanhu-chem": [
        Stream("900-013-11", "semi_solid", "1000 L 吨桶", 1000, 900, 8, "jiaxing-incinerator", "D10", "精馏残渣、有机物"),
        Stream("900-041-49", "solid", "吨袋", 1000, 300, 5, "jiaxing-incinerator", "D10", "沾染化学品的包装袋"),
        Stream("900-249-08", "liquid", "200 L 钢桶", 200, 170, 4, "pinghu-oil", "R9", "矿物油"),
    ],
    "xiuzhou-dyeing": [Stream("900-252-12", "solid", "吨袋", 1000, 400, 5, "jiaxing-incinerator", "D10", "染料、涂料残渣")],
    "jiashan-plating": [Stream("336-064-17", "semi_solid", "吨袋", 1000, 950, 14, "haiyan-landfill", "D1", "含铜、镍污泥")],
    "haining-leather": [Stream("193-002-21", "solid", "吨袋", 1000, 800, 2, "haiyan-landfill", "D1", "含铬皮革废料")],
    "pinghu-petrochem": [Stream("900-249-08", "liquid", "200 L 钢桶", 200, 170, 3, "pinghu-oil", "R9", "矿物油")],
}
CARRIER = "lvtong-transport"
DRIVER = "driver-lvtong"
PLATE = "浙FD1002"
MONTHS = 12


def _month_starts(today: date, n: int) -> list[date]:
    """The first days of the ``n`` months before this one, oldest first, then this month's."""
    first = today.replace(day=1)
    out = [first]
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def _at(day: date, hour: int) -> datetime:
    return clock.at(day.year, day.month, day.day, hour)


class _Demo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self.settings = get_settings()
        self.principals: dict[str, Principal] = {}
        self.sites: dict[str, Site] = {}
        self.orgs: dict[str, Organisation] = {}

    async def load(self) -> None:
        names = [*GENERATORS, CARRIER, DRIVER, "jiaxing-incinerator", "pinghu-oil", "haiyan-landfill", "jiaxing-regulator"]
        for username in names:
            user = (await self.s.execute(select(User).where(User.username == username))).scalar_one()
            self.principals[username] = await principal_for(self.s, user, self.settings)
            if user.organisation_id and user.role == "enterprise":
                org = await self.s.get(Organisation, user.organisation_id)
                assert org is not None
                self.orgs[username] = org
                self.sites[username] = (
                    (await self.s.execute(select(Site).where(Site.organisation_id == org.id))).scalars().first()  # type: ignore[assignment]
                )

    async def register(self, gen: str, st: Stream, day: date, n: int, net_kg: int | None = None) -> list[WasteContainer]:
        net = Decimal(net_kg or st.net_kg)
        with clock.frozen(_at(day, 9)):
            return await ledger.register(
                self.s,
                self.principals[gen],
                self.sites[gen].id,
                [
                    ledger.Generation(
                        waste_code=st.code,
                        physical_form=st.form,
                        container_type=st.container,
                        gross_kg=net + Decimal(18),
                        net_kg=net,
                        storage_facility="危废暂存库",
                        generated_on=day,
                        count=n,
                        volume_l=Decimal(st.volume_l),
                        main_components=st.components,
                    )
                ],
            )

    def _fields(self, gen: str, st: Stream, day: date) -> dict[str, Any]:
        org = self.orgs[gen]
        return {
            "generator_site_id": self.sites[gen].id,
            "carrier_org_id": self.orgs[CARRIER].id,
            "receiver_site_id": self.sites[st.receiver].id,
            "planned_method_code": st.method,
            "planned_pickup_date": day,
            "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
            "emergency_contact": org.contact_name or "张工",
            "emergency_phone": org.contact_phone or "0573-82000000",
        }

    async def ship(self, gen: str, st: Stream, day: date, containers: list[WasteContainer] | None, typed_kg: int = 0) -> None:
        """Draft (from containers, or typed by hand), submit, pick up, drop off, receive, dispose."""
        p = self.principals[gen]
        with clock.frozen(_at(day, 8)):
            if containers:
                m = await manifests.create_draft_from_containers(
                    self.s, p, [c.id for c in containers], self._fields(gen, st, day)
                )
            else:
                line = {
                    "waste_code": st.code,
                    "physical_form": st.form,
                    "quantity": Decimal(typed_kg),
                    "unit": "kg",
                    "container_type": st.container,
                    "container_count": max(1, typed_kg // st.net_kg),
                }
                m = await manifests.create_draft(self.s, p, Draft.of({**self._fields(gen, st, day), "lines": [line]}))
            await manifests.submit(self.s, p, m.id)
        assert m.number is not None
        token = make_token(self.settings.secret_key, m.id, m.number)
        codes = [c.identification_code for c in containers] if containers else None
        await self._scan(token, "pickup", site_lonlat(self.sites[gen]), _at(day, 10), codes)
        await self._scan(token, "dropoff", site_lonlat(self.sites[st.receiver]), _at(day, 12), None)
        kg = m.declared_kg
        rp = self.principals[st.receiver]
        with clock.frozen(_at(day, 15)):
            await manifests.receive(
                self.s, rp, m.id, decision="accepted", lines=[{"line_no": 1, "quantity": str(kg), "unit": "kg"}]
            )
        done = day + timedelta(days=3)
        if done < clock.today():
            with clock.frozen(_at(done, 11)):
                await manifests.dispose(self.s, rp, m.id, method_code=st.method, disposed_on=done, quantity=kg)

    async def _scan(self, token: str, action: str, at: tuple[float, float], when: datetime, codes: list[str] | None) -> None:
        """The driver's scan at ``when``, at the site (the container codes read at a pickup)."""
        with clock.frozen(when):
            await scans.scan(
                self.s,
                self.principals[DRIVER],
                secret=self.settings.secret_key,
                token=token,
                action=action,
                lon=at[0],
                lat=at[1],
                accuracy_m=6.0,
                device_time=None,
                vehicle_plate=PLATE,
                quantity_kg=None,
                geofence_m=self.settings.geofence_radius_m,
                container_codes=codes,
            )

    async def plan(self, gen: str, year: int, expected: dict[str, str], day: date, accept: bool = True) -> None:
        streams = GENERATORS[gen]
        body = {
            "unit": {"contact_name": self.orgs[gen].contact_name, "contact_phone": self.orgs[gen].contact_phone, "products": ""},
            "wastes": [
                {
                    "waste_code": st.code,
                    "name": "",
                    "main_components": st.components,
                    "physical_form": st.form,
                    "hazard_characteristics": [],
                    "source": "",
                    "expected_t": expected[st.code],
                }
                for st in streams
            ],
            "storage_facilities": [{"name": "危废暂存库", "type": "贮存库", "capacity_t": "30"}],
            "transfers": [
                {
                    "receiver_site_id": str(self.sites[st.receiver].id),
                    "licence_number": await self._licence(st.receiver),
                    "method_code": st.method,
                    "waste_codes": [st.code],
                    "expected_t": expected[st.code],
                }
                for st in streams
            ],
            "own_handling": [],
            "reduction_measures": "优化工艺、延长溶剂使用周期。",
        }
        with clock.frozen(_at(day, 10)):
            p = await plans.create(
                self.s, self.principals[gen], site_id=self.sites[gen].id, year=year, kind="hazardous", body=body
            )
            await plans.submit(self.s, self.principals[gen], p.id)
        if accept:
            with clock.frozen(_at(day + timedelta(days=5), 10)):
                await plans.accept(self.s, self.principals["jiaxing-regulator"], p.id, "材料齐全，予以备案")

    async def _licence(self, receiver: str) -> str:
        lic = (await self.s.execute(select(Licence).where(Licence.site_id == self.sites[receiver].id))).scalars().first()
        return lic.number if lic else ""

    async def declare(self, gen: str, kind: str, start: date) -> None:
        p = period(kind, start)
        with clock.frozen(_at(p.due_on - timedelta(days=5), 10)):
            await declarations.submit(self.s, self.principals[gen], self.sites[gen].id, kind, start)


async def seed_cradle(session: AsyncSession) -> dict[str, int]:
    """Add the demo year of ledger records (see the module's docstring); returns what was added."""
    d = _Demo(session)
    await d.load()
    if (
        await session.execute(select(WasteContainer.id).where(WasteContainer.site_id == d.sites["nanhu-chem"].id).limit(1))
    ).first():
        return {"containers": 0, "manifests": 0}
    today = clock.today()
    months = _month_starts(today, MONTHS)
    year = today.year
    # Plans for last year and this year, filed in March (嘉兴港区石化 files none).
    expected = {
        "nanhu-chem": {"900-013-11": "86", "900-041-49": "18", "900-249-08": "8"},
        "xiuzhou-dyeing": {"900-252-12": "30"},
        "jiashan-plating": {"336-064-17": "160"},
        "haining-leather": {"193-002-21": "4"},  # it ships about 1.6 t a month: beyond the plan by autumn
    }
    for y in (year - 1, year):
        plan_day = date(y, 3, 10) if y < year else max(min(date(y, 3, 10), today - timedelta(days=6)), date(y, 1, 1))
        for gen, codes in expected.items():
            await d.plan(gen, y, codes, plan_day)
    # The old drums that never left (over a year in storage).
    old_oil = GENERATORS["nanhu-chem"][2]
    await d.register("nanhu-chem", old_oil, today - timedelta(days=380), 2)
    shipped = 0
    silent_from = today - timedelta(days=45)
    last_month = months[-2]
    for m0 in months[:-1]:
        for gen, streams in GENERATORS.items():
            for st in streams:
                n = st.per_month
                if gen == "nanhu-chem" and st.code == "900-041-49" and m0 == last_month:
                    n = 1  # production goes on, this waste nearly vanishes from the ledger
                batch: list[WasteContainer] = []
                for k in range(n):
                    day = m0 + timedelta(days=min(26, 2 + k * (25 // max(n, 1))))
                    if gen == "jiashan-plating" and day >= silent_from:
                        continue
                    net = 100 if n == 1 and st.code == "900-041-49" else None
                    batch += await d.register(gen, st, day, 1, net)
                if gen == "haining-leather" and m0 == last_month:
                    continue  # last month's bags stay in the store: more than the plan's pace allows
                if batch:
                    ship_day = min(m0 + timedelta(days=27), today - timedelta(days=1))
                    await d.ship(gen, st, ship_day, batch)
                    shipped += 1
    # 秀洲印染: a manifest typed by hand, for more than its store holds.
    dye = GENERATORS["xiuzhou-dyeing"][0]
    await d.register("xiuzhou-dyeing", dye, today - timedelta(days=4), 1)
    await d.ship("xiuzhou-dyeing", dye, today - timedelta(days=2), None, typed_kg=3000)
    # 嘉善电镀: contaminated packaging the plan does not list, to the incinerator.
    pack = Stream("900-041-49", "solid", "吨袋", 1000, 300, 1, "jiaxing-incinerator", "D10", "沾染电镀液的包装袋")
    await d.ship(
        "jiashan-plating",
        pack,
        silent_from - timedelta(days=2),
        await d.register("jiashan-plating", pack, silent_from - timedelta(days=3), 2),
    )
    shipped += 2
    # Declarations of both plan years: on time, except 南湖精细化工's last two months.
    for gen in expected:
        for y in (year - 1, year):
            plan = await plans.plan_for(session, d.sites[gen].id, y, "hazardous")
            assert plan is not None
            due = [p for p in due_periods(plan.management_class, y, today) if p.due_on < today]
            if gen == "nanhu-chem":
                months_due = [p for p in due if p.kind == "month"]
                skip = {(p.kind, p.start) for p in sorted(months_due, key=lambda p: p.start)[-2:]}
                due = [p for p in due if (p.kind, p.start) not in skip]
            for p in due:
                await d.declare(gen, p.kind, p.start)
    # Receivers' balances for the last two months: the incinerator's last month does not add up.
    await _balances(d, months[-3], months[-2])
    await run_sweep(session)
    total = (await session.execute(select(func.count()).select_from(WasteContainer))).scalar_one()
    return {"containers": int(total), "manifests": shipped}


async def _balances(d: _Demo, before: date, last: date) -> None:
    from sqlalchemy import text

    for receiver, honest in (("jiaxing-incinerator", False), ("pinghu-oil", True)):
        site = d.sites[receiver]
        for month, share in ((before, Decimal(1)), (last, Decimal(1) if honest else Decimal("0.4"))):
            nxt = (month + timedelta(days=32)).replace(day=1)
            intake = (
                await d.s.execute(
                    text("""SELECT COALESCE(sum(COALESCE(accepted_kg, received_kg)), 0) FROM manifest
                            WHERE receiver_site_id = :s AND received_at >= :a AND received_at < :b"""),
                    {"s": site.id, "a": clock.start_of(month), "b": clock.start_of(nxt)},
                )
            ).scalar_one()
            with clock.frozen(min(_at(nxt + timedelta(days=3), 10), clock.now())):
                await declarations.record_balance(
                    d.s,
                    d.principals[receiver],
                    site.id,
                    month,
                    utilised_kg=Decimal(intake) * share if receiver == "pinghu-oil" else Decimal(0),
                    disposed_kg=Decimal(intake) * share if receiver != "pinghu-oil" else Decimal(0),
                    stored_end_kg=Decimal(20000),
                )
