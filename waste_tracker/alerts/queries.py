"""Reading alerts: the scoped, filtered queue (severity, then age), the summary, CSV export."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, func, or_, type_coerce, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.manifest import access
from waste_tracker.models import Alert
from waste_tracker.pagination import aware, decode_cursor, encode_cursor


@dataclass
class AlertFilter:
    rule: list[str] | None = None
    severity: list[str] | None = None
    status: list[str] | None = None
    county: int | None = None
    organisation_id: uuid.UUID | None = None
    manifest_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    assignee_id: uuid.UUID | None = None


def _event_counties() -> Any:
    return type_coerce(col(Alert.event_counties), ARRAY(Integer))


def _in_county(county: int) -> Any:
    """The alert concerns this county: the waste came from or went to it, or an event happened there."""
    return or_(col(Alert.generator_county) == county, col(Alert.receiver_county) == county, _event_counties().contains([county]))


def _filtered(actor: Principal, f: AlertFilter, scoped: bool = True) -> Any:
    stmt = select(Alert).where(access.alert_scope(actor)) if scoped else select(Alert)
    if f.rule:
        stmt = stmt.where(col(Alert.rule_id).in_(f.rule))
    if f.severity:
        stmt = stmt.where(col(Alert.severity).in_(f.severity))
    if f.status:
        stmt = stmt.where(col(Alert.status).in_(f.status))
    if f.county:
        stmt = stmt.where(_in_county(f.county))
    if f.organisation_id:
        o = f.organisation_id
        stmt = stmt.where(or_(col(Alert.generator_org_id) == o, col(Alert.receiver_org_id) == o, col(Alert.carrier_org_id) == o))
    if f.manifest_id:
        stmt = stmt.where(Alert.manifest_id == f.manifest_id)
    if f.assignee_id:
        stmt = stmt.where(Alert.assignee_id == f.assignee_id)
    if f.date_from:
        stmt = stmt.where(Alert.first_seen_at >= clock.start_of(f.date_from))
    if f.date_to:
        stmt = stmt.where(Alert.first_seen_at < clock.end_of(f.date_to))
    return stmt


async def list_alerts(
    session: AsyncSession, actor: Principal, f: AlertFilter, cursor: str | None = None, limit: int = 50
) -> tuple[list[Alert], str | None]:
    """Most severe first, then oldest first (the longest-waiting critical alert leads the queue)."""
    after = None
    if cursor:
        rank, at, aid = decode_cursor(cursor, int, aware, int)
        after = or_(
            Alert.severity_rank > rank,
            and_(Alert.severity_rank == rank, Alert.first_seen_at > at),
            and_(Alert.severity_rank == rank, Alert.first_seen_at == at, Alert.id > aid),
        )
    order = (col(Alert.severity_rank), col(Alert.first_seen_at), col(Alert.id))
    if f.county and f.status and len(f.status) <= 5:
        # The regulator's queue for one county: each (county column, status) pair is one ordered
        # range of ix_alert_gen_county_status / ix_alert_rcv_county_status; take one page from
        # each and merge, rather than walking the whole queue in severity order and filtering
        # (which gets slower the smaller the county). Same rows, same order.
        # A county inside a regulator's jurisdiction already puts every branch in scope (its
        # generator or receiver county is that county): no need to repeat the scope condition.
        implied = actor.is_admin or (actor.is_regulator and f.county in (actor.county_scope or ()))
        base = _filtered(actor, replace(f, county=None, status=None), scoped=not implied).with_only_columns(Alert.id)
        if after is not None:
            base = base.where(after)
        parts = [
            base.where(where, Alert.status == st).order_by(*order).limit(limit + 1).subquery()
            for where in (
                col(Alert.generator_county) == f.county,
                col(Alert.receiver_county) == f.county,
                _event_counties().contains([f.county]),
            )
            for st in f.status
        ]
        ids = union(*(select(p.c.id) for p in parts)).subquery()
        stmt = select(Alert).where(col(Alert.id).in_(select(ids.c.id))).order_by(*order).limit(limit + 1)
    else:
        stmt = _filtered(actor, f)
        if after is not None:
            stmt = stmt.where(after)
        stmt = stmt.order_by(*order).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    last = rows[limit - 1] if len(rows) > limit else None
    return rows[:limit], (encode_cursor(last.severity_rank, last.first_seen_at, last.id) if last else None)


async def summary(session: AsyncSession, actor: Principal, f: AlertFilter) -> dict[str, Any]:
    base = _filtered(actor, f).subquery()
    out: dict[str, Any] = {"total": (await session.execute(select(func.count()).select_from(base))).scalar_one()}
    for key, column in (("by_rule", base.c.rule_id), ("by_severity", base.c.severity), ("by_status", base.c.status)):
        rows = (await session.execute(select(column, func.count()).group_by(column).order_by(column))).all()
        out[key] = {str(k): int(v) for k, v in rows}
    # Each alert once under every county it concerns (generator's, receiver's, where its events were).
    concerned = select(
        base.c.id,
        func.unnest(
            func.array_append(func.array_append(base.c.event_counties, base.c.generator_county), base.c.receiver_county)
        ).label("county"),
    ).subquery()
    rows = (
        await session.execute(
            select(concerned.c.county, func.count(func.distinct(concerned.c.id)))
            .where(concerned.c.county.is_not(None))
            .group_by(concerned.c.county)
        )
    ).all()
    by_county: dict[str, int] = {str(k): int(v) for k, v in rows}
    out["by_county"] = dict(sorted(by_county.items()))
    return out
