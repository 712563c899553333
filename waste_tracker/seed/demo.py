"""Fictional but realistic Jiaxing demo data. Idempotent: keyed on USCC, username, licence,
permit and plate numbers, so running it twice changes nothing.

Every demo account is flagged ``is_demo`` and refused when WASTE_TRACKER_ENV=production.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlmodel import select

from waste_tracker.auth.passwords import hash_password, verify_password
from waste_tracker.auth.service import create_user
from waste_tracker.db import unit_of_work
from waste_tracker.models import Licence, Organisation, Site, TransportPermit, User, Vehicle
from waste_tracker.registry.licences import create_licence, create_permit, create_vehicle
from waste_tracker.registry.organisations import create_organisation, create_site
from waste_tracker.registry.uscc import make_uscc

DEMO_PASSWORD = "jiaxing2026"  # noqa: S105 - documented demo credential, refused in production
VALID_FROM, VALID_TO = date(2024, 1, 1), date(2029, 12, 31)


@dataclass
class DemoOrg:
    username: str
    name: str
    roles: list[str]
    industry: str
    county: int
    region: str  # USCC region code (chars 3-8)
    body: str  # USCC chars 9-17
    site_name: str
    lon: float  # WGS-84
    lat: float
    address: str
    licence: dict[str, Any] | None = None
    permit: dict[str, Any] | None = None
    vehicles: list[tuple[str, int]] = field(default_factory=list)
    driver: str | None = None


HW_INCINERABLE = [
    "HW02",
    "HW03",
    "HW04",
    "HW06",
    "HW08",
    "HW09",
    "HW11",
    "HW12",
    "HW13",
    "HW16",
    "HW37",
    "HW38",
    "HW39",
    "HW40",
    "HW45",
    "HW49",
    "HW50",
]

ORGS: list[DemoOrg] = [
    # --- generators (the plan's key industries) ---
    DemoOrg(
        "nanhu-chem",
        "嘉兴南湖精细化工有限公司",
        ["generator"],
        "化学原料和化学制品制造业",
        330402,
        "330402",
        "MA2B7C1X0",
        "南湖精细化工一厂",
        120.8120,
        30.7190,
        "嘉兴市南湖区大桥镇亚太路 1 号",
    ),
    DemoOrg(
        "nanhu-autoparts",
        "嘉兴南湖汽车零部件有限公司",
        ["generator"],
        "汽车制造业",
        330402,
        "330402",
        "MA2C8D2Y1",
        "南湖汽配厂",
        120.7960,
        30.7450,
        "嘉兴市南湖区东栅街道昌盛南路 88 号",
    ),
    DemoOrg(
        "xiuzhou-dyeing",
        "嘉兴秀洲印染有限公司",
        ["generator"],
        "纺织业（印染）",
        330411,
        "330411",
        "MA2D9E3T2",
        "王江泾印染厂",
        120.6880,
        30.8700,
        "嘉兴市秀洲区王江泾镇工业园 6 号",
    ),
    DemoOrg(
        "jiashan-plating",
        "嘉善电镀科技有限公司",
        ["generator"],
        "金属表面处理及热处理加工",
        330421,
        "330421",
        "MA2E1F4U3",
        "嘉善电镀园区工厂",
        120.9300,
        30.8600,
        "嘉兴市嘉善县惠民街道电镀园 3 号",
    ),
    DemoOrg(
        "jiashan-wood",
        "嘉善木业涂装有限公司",
        ["generator"],
        "木材加工和木制品业",
        330421,
        "330421",
        "MA2F2G5W4",
        "干窑木业涂装车间",
        120.8700,
        30.8200,
        "嘉兴市嘉善县干窑镇木业路 12 号",
    ),
    DemoOrg(
        "haiyan-paper",
        "海盐纸业有限公司",
        ["generator"],
        "造纸和纸制品业",
        330424,
        "330424",
        "MA2G3H6X5",
        "海盐纸业厂区",
        120.9300,
        30.5300,
        "嘉兴市海盐县武原街道纸业路 9 号",
    ),
    DemoOrg(
        "haiyan-fastener",
        "海盐紧固件表面处理有限公司",
        ["generator"],
        "金属制品业",
        330424,
        "330424",
        "MA2H4J7Y6",
        "紧固件电镀车间",
        120.8700,
        30.4900,
        "嘉兴市海盐县秦山街道紧固件园 21 号",
    ),
    DemoOrg(
        "haining-leather",
        "海宁皮革制品有限公司",
        ["generator"],
        "皮革、毛皮及其制品业",
        330481,
        "330481",
        "MA2J5K8A7",
        "海宁皮革城制革厂",
        120.6300,
        30.5300,
        "海宁市海洲街道皮革路 18 号",
    ),
    DemoOrg(
        "haining-dyeing",
        "海宁经编印染有限公司",
        ["generator"],
        "纺织业（经编印染）",
        330481,
        "330481",
        "MA2K6L9B8",
        "马桥经编印染厂",
        120.5800,
        30.4700,
        "海宁市马桥街道经编园 5 号",
    ),
    DemoOrg(
        "pinghu-petrochem",
        "嘉兴港区石化有限公司",
        ["generator"],
        "石油、煤炭及其他燃料加工业",
        330482,
        "330482",
        "MA2L7M0C9",
        "乍浦石化装置区",
        121.0800,
        30.6200,
        "平湖市乍浦镇港区路 66 号",
    ),
    DemoOrg(
        "pinghu-fibre",
        "平湖化纤有限公司",
        ["generator"],
        "化学纤维制造业",
        330482,
        "330482",
        "MA2M8N1D0",
        "平湖化纤工厂",
        121.0200,
        30.7000,
        "平湖市钟埭街道化纤路 2 号",
    ),
    DemoOrg(
        "tongxiang-fibre",
        "桐乡化纤股份有限公司",
        ["generator"],
        "化学纤维制造业",
        330483,
        "330483",
        "MA2N9P2E1",
        "洲泉化纤基地",
        120.4500,
        30.6000,
        "桐乡市洲泉镇化纤大道 1 号",
    ),
    # --- carriers ---
    DemoOrg(
        "lvtong-transport",
        "嘉兴绿通危险品运输有限公司",
        ["carrier"],
        "道路危险货物运输",
        330402,
        "330402",
        "MA2P0Q3F2",
        "绿通车队停车场",
        120.7800,
        30.7300,
        "嘉兴市南湖区余新镇物流园 8 号",
        permit={"number": "浙交运管许可嘉字330402000101号", "hazardous_allowed": True},
        vehicles=[("浙FD1001", 10000), ("浙FD1002", 15000)],
        driver="driver-lvtong",
    ),
    DemoOrg(
        "anda-logistics",
        "海宁安达物流有限公司",
        ["carrier"],
        "道路危险货物运输",
        330481,
        "330481",
        "MA2Q1R4G3",
        "安达物流场站",
        120.6600,
        30.5100,
        "海宁市硖石街道物流路 3 号",
        permit={"number": "浙交运管许可嘉字330481000202号", "hazardous_allowed": True},
        vehicles=[("浙FD2001", 12000)],
        driver="driver-anda",
    ),
    DemoOrg(
        "tongda-haulage",
        "桐乡通达固废运输有限公司",
        ["carrier"],
        "道路普通货物运输",
        330483,
        "330483",
        "MA2R2T5H4",
        "通达运输场站",
        120.5400,
        30.6400,
        "桐乡市梧桐街道运输路 7 号",
        permit={"number": "浙交运管许可嘉字330483000303号", "hazardous_allowed": False},
        vehicles=[("浙F30301", 20000)],
        driver="driver-tongda",
    ),
    # --- receivers (licensed) ---
    DemoOrg(
        "jiaxing-incinerator",
        "嘉兴市危险废物焚烧处置有限公司",
        ["receiver"],
        "危险废物治理",
        330411,
        "330411",
        "MA2T3U6J5",
        "秀洲危废焚烧厂",
        120.6500,
        30.7900,
        "嘉兴市秀洲区洪合镇环保路 1 号",
        licence={
            "number": "浙危废经第3304000001号",
            "kind": "hazardous",
            "categories": HW_INCINERABLE,
            "methods": ["D10", "D9"],
            "capacity_t": 30000,
        },
    ),
    DemoOrg(
        "pinghu-oil",
        "平湖再生油有限公司",
        ["receiver"],
        "危险废物治理（废矿物油再生）",
        330482,
        "330482",
        "MA2U4W7K6",
        "独山港再生油厂",
        121.1300,
        30.6600,
        "平湖市独山港镇再生路 9 号",
        licence={
            "number": "浙危废经第3304000002号",
            "kind": "hazardous",
            "categories": ["HW08", "HW09"],
            "methods": ["R9"],
            "capacity_t": 20000,
        },
    ),
    DemoOrg(
        "haining-solvent",
        "海宁溶剂回收有限公司",
        ["receiver"],
        "危险废物治理（溶剂回收）",
        330481,
        "330481",
        "MA2W5X8L7",
        "尖山溶剂回收厂",
        120.7600,
        30.4300,
        "海宁市尖山新区回收路 6 号",
        licence={
            "number": "浙危废经第3304000003号",
            "kind": "hazardous",
            "categories": ["HW06", "HW12"],
            "methods": ["R2"],
            "capacity_t": 10000,
        },
    ),
    DemoOrg(
        "haiyan-landfill",
        "海盐安全填埋场有限公司",
        ["receiver"],
        "危险废物治理（安全填埋）",
        330424,
        "330424",
        "MA2X6Y9M8",
        "海盐安全填埋场",
        120.8400,
        30.4600,
        "嘉兴市海盐县通元镇填埋场路 1 号",
        licence={
            "number": "浙危废经第3304000004号",
            "kind": "hazardous",
            "categories": ["HW17", "HW18", "HW21", "HW22", "HW23", "HW31", "HW36", "HW46", "HW48"],
            "methods": ["D1"],
            "capacity_t": 50000,
        },
    ),
    DemoOrg(
        "jiashan-solidwaste",
        "嘉善一般工业固废综合利用有限公司",
        ["receiver"],
        "一般工业固体废物综合利用",
        330421,
        "330421",
        "MA2Y7A0N9",
        "嘉善固废利用中心",
        120.9600,
        30.8100,
        "嘉兴市嘉善县姚庄镇循环路 5 号",
        licence={
            "number": "嘉善固废利用备3304210001",
            "kind": "general",
            "categories": ["SW07", "SW14", "SW15", "SW16", "SW17", "SW59"],
            "methods": ["R15", "C2", "D1"],
            "capacity_t": 80000,
        },
    ),
    DemoOrg(
        "tongxiang-solidwaste",
        "桐乡一般工业固废处置有限公司",
        ["receiver"],
        "一般工业固体废物处置",
        330483,
        "330483",
        "MA2A8B1P0",
        "桐乡固废处置场",
        120.5200,
        30.6800,
        "桐乡市高桥街道处置路 3 号",
        licence={
            "number": "桐乡固废处置备3304830001",
            "kind": "general",
            "categories": ["SW03", "SW07", "SW14", "SW17", "SW59"],
            "methods": ["R15", "D1"],
            "capacity_t": 60000,
        },
    ),
    # --- a receiver in a neighbouring city (Hangzhou, Xiaoshan) for cross-city cases ---
    DemoOrg(
        "xiaoshan-hazwaste",
        "杭州萧山危险废物处置有限公司",
        ["receiver"],
        "危险废物治理",
        330109,
        "330109",
        "MA2B9C2Q1",
        "萧山危废处置中心",
        120.4000,
        30.2000,
        "杭州市萧山区临江工业园 10 号",
        licence={
            "number": "浙危废经第3301000009号",
            "kind": "hazardous",
            "categories": HW_INCINERABLE,
            "methods": ["D10"],
            "capacity_t": 60000,
        },
    ),
]

REGULATORS = [
    ("jiaxing-regulator", "嘉兴市生态环境局", 330400),
    ("haining-regulator", "嘉兴市生态环境局海宁分局", 330481),
]


async def _one(session: AsyncSession, stmt: Executable) -> Any:
    return (await session.execute(stmt)).scalar_one_or_none()


async def seed(session: AsyncSession) -> dict[str, int]:
    created = {"organisations": 0, "sites": 0, "licences": 0, "permits": 0, "vehicles": 0, "users": 0}
    pw_hash = hash_password(DEMO_PASSWORD)

    async def ensure_user(username: str, role: str, display: str, **binding: Any) -> None:
        existing = await _one(session, select(User).where(User.username == username, User.is_demo))
        if existing is not None and not verify_password(existing.password_hash, DEMO_PASSWORD):
            existing.password_hash = pw_hash  # the demo password changed (it was 9 characters): keep the README true
        if existing is None and await _one(session, select(User.id).where(User.username == username)) is None:
            await create_user(
                session,
                None,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                display_name=display,
                is_demo=True,
                password_hash=pw_hash,
                **binding,
            )
            created["users"] += 1

    await ensure_user("admin", "admin", "系统管理员")
    for username, display, adcode in REGULATORS:
        await ensure_user(username, "regulator", display, jurisdiction_adcode=adcode)

    for d in ORGS:
        uscc = make_uscc(d.region, d.body)
        org = await _one(session, select(Organisation).where(Organisation.uscc == uscc))
        if org is None:
            org = await create_organisation(
                session,
                None,
                name=d.name,
                uscc=uscc,
                roles=d.roles,
                industry=d.industry,
                contact_name="张工",
                contact_phone="0573-8200" + str(zlib.crc32(d.username.encode()) % 10000).zfill(4),
                address=d.address,
            )
            created["organisations"] += 1
        site = await _one(session, select(Site).where(Site.organisation_id == org.id, Site.name == d.site_name))
        if site is None:
            site = await create_site(
                session,
                None,
                organisation_id=org.id,
                name=d.site_name,
                lon=d.lon,
                lat=d.lat,
                address=d.address,
                county_adcode=d.county,
                kind="parking" if d.roles == ["carrier"] else "facility",
            )
            created["sites"] += 1
        if d.licence and await _one(session, select(Licence.id).where(Licence.number == d.licence["number"])) is None:
            await create_licence(
                session,
                None,
                site_id=site.id,
                number=d.licence["number"],
                kind=d.licence["kind"],
                waste_categories=d.licence["categories"],
                method_codes=d.licence["methods"],
                annual_capacity_t=Decimal(d.licence["capacity_t"]),
                valid_from=VALID_FROM,
                valid_to=VALID_TO,
            )
            created["licences"] += 1
        permit_id = None
        if d.permit:
            permit = await _one(session, select(TransportPermit).where(TransportPermit.number == d.permit["number"]))
            if permit is None:
                permit = await create_permit(
                    session,
                    None,
                    organisation_id=org.id,
                    number=d.permit["number"],
                    hazardous_allowed=d.permit["hazardous_allowed"],
                    valid_from=VALID_FROM,
                    valid_to=VALID_TO,
                )
                created["permits"] += 1
            permit_id = permit.id
        for plate, capacity in d.vehicles:
            if await _one(session, select(Vehicle.id).where(Vehicle.plate == plate)) is None:
                await create_vehicle(
                    session,
                    None,
                    organisation_id=org.id,
                    plate=plate,
                    capacity_kg=Decimal(capacity),
                    permit_id=permit_id,
                )
                created["vehicles"] += 1
        await ensure_user(d.username, "enterprise", d.name, organisation_id=org.id)
        if d.driver:
            await ensure_user(d.driver, "driver", f"{d.name} 驾驶员", organisation_id=org.id)
    created["zones"] = await _example_zones(session)
    return created


# Example protected zones: small squares near real places, clearly marked as examples.
EXAMPLE_ZONES = [
    ("示例：南湖饮用水水源保护区（非官方边界）", "drinking_water", 120.770, 30.755, 0.008),
    ("示例：湘家荡生态保护红线（非官方边界）", "ecological_redline", 120.840, 30.800, 0.010),
    ("示例：长山河饮用水水源保护区（非官方边界）", "drinking_water", 120.640, 30.560, 0.008),
]


async def _example_zones(session: AsyncSession) -> int:
    from waste_tracker.models import ProtectedZone

    if await _one(session, select(ProtectedZone.id).where(ProtectedZone.is_example).limit(1)) is not None:
        return 0
    for name, kind, lon, lat, d in EXAMPLE_ZONES:
        ring = f"{lon - d} {lat - d}, {lon + d} {lat - d}, {lon + d} {lat + d}, {lon - d} {lat + d}, {lon - d} {lat - d}"
        session.add(
            ProtectedZone(
                name=name,
                kind=kind,
                geom=f"SRID=4326;MULTIPOLYGON((({ring})))",
                valid_from=VALID_FROM,
                source="演示数据：示例区域，不是官方划定的边界 / demo data: an example, not an official boundary",
                is_example=True,
            )
        )
    await session.flush()
    return len(EXAMPLE_ZONES)


def login_table() -> str:
    lines = [f"  {'username':<22} role", f"  {'admin':<22} admin"]
    lines += [f"  {u:<22} regulator ({a})" for u, _, a in REGULATORS]
    for d in ORGS:
        lines.append(f"  {d.username:<22} enterprise: {d.name} ({'/'.join(d.roles)})")
        if d.driver:
            lines.append(f"  {d.driver:<22} driver for {d.name}")
    lines.append(f"  {'audit-firm':<22} auditor (third-party firm), assigned to the demo audit sample")
    return "\n".join(lines)


async def run_seed() -> str:
    from waste_tracker.seed.audit import seed_audit
    from waste_tracker.seed.cradle import seed_cradle
    from waste_tracker.seed.money import seed_money
    from waste_tracker.seed.road import seed_road

    async with unit_of_work() as session:
        created = await seed(session)
    async with unit_of_work() as session:
        created |= await seed_cradle(session)
    async with unit_of_work() as session:
        created |= await seed_road(session)
    async with unit_of_work() as session:
        created |= await seed_money(session)
    async with unit_of_work() as session:
        created |= await seed_audit(session, DEMO_PASSWORD)
    made = ", ".join(f"{k} {v}" for k, v in created.items())
    return (
        f"demo data: created {made} (0 everywhere means it was already there)\n"
        f"demo log-ins (password {DEMO_PASSWORD}):\n{login_table()}"
    )
