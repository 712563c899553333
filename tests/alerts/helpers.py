"""Reading alerts back in tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.models import Alert


async def alerts_of(session: AsyncSession, manifest_id: str | None = None) -> dict[str, Alert]:
    stmt = select(Alert)
    if manifest_id:
        stmt = stmt.where(Alert.manifest_id == manifest_id)
    rows = (await session.execute(stmt.execution_options(populate_existing=True))).scalars().all()
    return {a.rule_id: a for a in rows}
