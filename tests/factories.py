"""Keyword-only factories with sensible defaults, built on the real services."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.passwords import hash_password
from waste_tracker.auth.service import create_user as _create_user
from waste_tracker.auth.tokens import issue_access_token
from waste_tracker.models import Licence, Organisation, Site, TransportPermit, User, Vehicle
from waste_tracker.registry.licences import create_licence, create_permit, create_vehicle
from waste_tracker.registry.organisations import create_organisation, create_site
from waste_tracker.registry.uscc import ALPHABET, make_uscc

from .conftest import TEST_SECRET

PASSWORD = "kiln-ledger-42"
PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)

# WGS-84 points well inside each Jiaxing county, and outside Jiaxing.
POINTS = {
    330402: (120.8120, 30.7190),  # 南湖区
    330411: (120.6880, 30.8700),  # 秀洲区
    330421: (120.9300, 30.8600),  # 嘉善县
    330424: (120.9300, 30.5300),  # 海盐县
    330481: (120.6300, 30.5300),  # 海宁市
    330482: (121.0200, 30.7000),  # 平湖市
    330483: (120.4500, 30.6000),  # 桐乡市
    330109: (120.4000, 30.2000),  # 杭州萧山区 (another city)
    310116: (121.2500, 30.8000),  # 上海金山区 (another province)
}
EAST_CHINA_SEA = (122.8, 29.9)


def _body() -> str:
    n = next(_seq)
    digits = []
    for _ in range(9):
        digits.append(ALPHABET[n % 31])
        n //= 31
    return "T" + "".join(reversed(digits))[1:]


async def organisation(
    session: AsyncSession, *, roles: list[str] | None = None, name: str | None = None, region: str = "330402"
) -> Organisation:
    return await create_organisation(
        session,
        None,
        name=name or f"测试单位{next(_seq)}有限公司",
        uscc=make_uscc(region, _body()),
        roles=roles or ["generator"],
    )


async def site(
    session: AsyncSession,
    *,
    org: Organisation,
    county: int = 330402,
    at: tuple[float, float] | None = None,
    name: str | None = None,
    kind: str = "facility",
) -> Site:
    lon, lat = at or POINTS[county]
    return await create_site(session, None, organisation_id=org.id, name=name or f"厂区{next(_seq)}", lon=lon, lat=lat, kind=kind)


async def user(
    session: AsyncSession,
    *,
    role: str = "enterprise",
    org: Organisation | None = None,
    jurisdiction: int | None = None,
    username: str | None = None,
) -> User:
    return await _create_user(
        session,
        None,
        username=username or f"user{next(_seq)}-{uuid.uuid4().hex[:6]}",
        password=PASSWORD,
        role=role,
        organisation_id=org.id if org else None,
        jurisdiction_adcode=jurisdiction,
        password_hash=PASSWORD_HASH,
    )


async def licence(
    session: AsyncSession,
    *,
    site: Site,
    kind: str = "hazardous",
    codes: list[str] | None = None,
    categories: list[str] | None = None,
    methods: list[str] | None = None,
    capacity_t: int = 1000,
    valid_from: date = date(2024, 1, 1),
    valid_to: date = date(2030, 12, 31),
) -> Licence:
    return await create_licence(
        session,
        None,
        site_id=site.id,
        number=f"LIC-{next(_seq)}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        waste_codes=codes or [],
        waste_categories=categories
        if categories is not None
        else (["HW08", "HW49"] if kind == "hazardous" else ["SW07", "SW59"]),
        method_codes=methods or (["D10", "R9"] if kind == "hazardous" else ["R15"]),
        annual_capacity_t=Decimal(capacity_t),
        valid_from=valid_from,
        valid_to=valid_to,
    )


async def permit(
    session: AsyncSession,
    *,
    org: Organisation,
    hazardous: bool = True,
    valid_from: date = date(2024, 1, 1),
    valid_to: date = date(2030, 12, 31),
) -> TransportPermit:
    return await create_permit(
        session,
        None,
        organisation_id=org.id,
        number=f"PERMIT-{uuid.uuid4().hex[:10]}",
        hazardous_allowed=hazardous,
        valid_from=valid_from,
        valid_to=valid_to,
    )


async def vehicle(
    session: AsyncSession, *, org: Organisation, permit_id: uuid.UUID | None = None, capacity_kg: int = 10000
) -> Vehicle:
    return await create_vehicle(
        session,
        None,
        organisation_id=org.id,
        plate=f"浙F{uuid.uuid4().hex[:5].upper()}",
        capacity_kg=Decimal(capacity_kg),
        permit_id=permit_id,
    )


def auth(u: User) -> dict[str, str]:
    token, _ = issue_access_token(u.id, u.role, TEST_SECRET, 60)
    return {"Authorization": f"Bearer {token}"}
