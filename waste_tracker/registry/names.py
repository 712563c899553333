"""Display names in bulk (organisations, jurisdictions, users), so a list page costs one
query per kind of name instead of one per row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker.models import Organisation, User
from waste_tracker.models.registry import Jurisdiction


def _ids(values: Iterable[uuid.UUID | None]) -> list[uuid.UUID]:
    return sorted({v for v in values if v is not None})


async def organisation_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = _ids(ids)
    if not wanted:
        return {}
    return dict((await session.execute(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(wanted)))).all())


async def user_names(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = _ids(ids)
    if not wanted:
        return {}
    rows = (await session.execute(select(User.id, User.display_name, User.username).where(col(User.id).in_(wanted)))).all()
    return {i: (d or u) for i, d, u in rows}


async def jurisdiction_names(session: AsyncSession, adcodes: Iterable[int | None], lang: str = "zh-CN") -> dict[int, str]:
    wanted = sorted({a for a in adcodes if a is not None})
    if not wanted:
        return {}
    rows = (
        await session.execute(
            select(Jurisdiction.adcode, Jurisdiction.name, Jurisdiction.name_en).where(col(Jurisdiction.adcode).in_(wanted))
        )
    ).all()
    return {a: (en or n) if lang == "en" else n for a, n, en in rows}


async def counties_of(session: AsyncSession, city_adcode: int, lang: str = "zh-CN") -> list[tuple[int, str]]:
    """The county-level units of a city, by adcode (for filters)."""
    rows = (
        await session.execute(
            select(Jurisdiction.adcode, Jurisdiction.name, Jurisdiction.name_en)
            .where(Jurisdiction.parent_adcode == city_adcode, Jurisdiction.level == "county")
            .order_by(col(Jurisdiction.adcode))
        )
    ).all()
    return [(a, (en or n) if lang == "en" else n) for a, n, en in rows]
