"""The projection: a user's notifications computed by one set-based statement over the manifests'
events and the alerts' history, with the user's read marks.

Bounds, so that the statement stays one index range per side however old the city's records are:

- ``WINDOW``: a notification is shown for 30 days after what it tells of happened;
- ``HORIZON``: only manifests created at most 180 days before the window's start are looked at (a
  manifest lives for days; one still unfinished after months has long raised the sweep's alerts).
  Each side is one range of its ``(organisation, created_at)`` index.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    String,
    Subquery,
    and_,
    column,
    exists,
    func,
    literal,
    null,
    or_,
    true,
    union,
    union_all,
    values,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from waste_tracker.auth.principal import Principal
from waste_tracker.manifest import access
from waste_tracker.models import Alert, AlertHistory, Manifest, ManifestEvent, NotificationRead, NotificationReadAll
from waste_tracker.notification.kinds import FROM_EVENTS, PARTIES_OF_ROLE, Kind, Party

WINDOW = timedelta(days=30)
HORIZON = timedelta(days=180)

# The columns every part of the projection gives, in this order.
COLUMNS = ("id", "kind", "at", "manifest_id", "number", "alert_id", "rule_id", "parties", "planned", "reason")


def _party_conditions(org: uuid.UUID) -> dict[Party, list[ColumnElement[bool]]]:
    """Each side of a manifest the organisation can be on, as conditions each one index range."""
    return {
        Party.GENERATOR: [col(Manifest.generator_org_id) == org],
        Party.RECEIVER: [col(Manifest.receiver_org_id) == org],
        Party.CARRIER: [col(Manifest.carrier_org_id) == org, access.names_org(col(Manifest.handover_carrier_org_ids), org)],
    }


def _from_events(actor: Principal, since: datetime) -> Select[*tuple[Any, ...]] | None:
    """The manifest events that tell the actor's organisation something (not what it did itself)."""
    org = actor.organisation_id
    parties = PARTIES_OF_ROLE.get(actor.role, ())
    rules = [r for r in FROM_EVENTS if r.party in parties]
    if org is None or not rules:
        return None
    sides = _party_conditions(org)
    # The actor's manifests touched in the window, each with the side the organisation is on.
    branches: list[Select[Any, str]] = [
        sa_select(col(Manifest.id).label("manifest_id"), literal(str(party), String).label("party")).where(
            cond,
            col(Manifest.created_at) >= since - HORIZON,
            col(Manifest.updated_at) >= since,
            access.manifest_scope(actor),
        )
        for party in parties
        for cond in sides[party]
    ]
    mine = union(*branches).subquery("mine")
    table = (
        values(column("kind", String), column("event", String), column("party", String), column("decision", String), name="rules")
        .data([(str(r.kind), str(r.event), str(r.party), r.decision) for r in rules])
        .alias("rules")
    )
    e, m = ManifestEvent, Manifest
    payload = col(e.payload)
    return (
        sa_select(
            func.concat(table.c.kind, ":", col(e.manifest_id), ":", col(e.seq)).label("id"),
            table.c.kind.label("kind"),
            col(e.server_time).label("at"),
            col(e.manifest_id).label("manifest_id"),
            col(m.number).label("number"),
            null().cast(BigInteger).label("alert_id"),
            null().cast(String).label("rule_id"),
            col(m.parties).label("parties"),
            col(m.planned_pickup_date).label("planned"),
            payload["reason"].astext.label("reason"),
        )
        .select_from(mine)
        .join(m, col(m.id) == mine.c.manifest_id)
        .join(e, col(e.manifest_id) == mine.c.manifest_id)
        .join(
            table,
            and_(
                table.c.party == mine.c.party,
                table.c.event == col(e.type),
                or_(table.c.decision.is_(None), table.c.decision == payload["decision"].astext),
            ),
        )
        .where(col(e.server_time) >= since, col(e.actor_org_id).is_distinct_from(org))
    )


def _from_alerts(actor: Principal, since: datetime) -> Select[*tuple[Any, ...]] | None:
    """The alerts assigned to the actor (by someone else), as of their latest assignment."""
    if not actor.is_regulator:
        return None
    h = (
        sa_select(col(AlertHistory.id).label("id"), col(AlertHistory.at).label("at"), col(AlertHistory.actor_user_id).label("by"))
        .where(col(AlertHistory.alert_id) == col(Alert.id), col(AlertHistory.action) == "assigned")
        .order_by(col(AlertHistory.id).desc())
        .limit(1)
        .lateral("h")
    )
    return (
        sa_select(
            func.concat(str(Kind.ALERT_ASSIGNED), ":", col(Alert.id), ":", h.c.id).label("id"),
            literal(str(Kind.ALERT_ASSIGNED), String).label("kind"),
            h.c.at.label("at"),
            col(Alert.manifest_id).label("manifest_id"),
            col(Manifest.number).label("number"),
            col(Alert.id).label("alert_id"),
            col(Alert.rule_id).label("rule_id"),
            null().cast(JSONB).label("parties"),
            null().cast(Date).label("planned"),
            null().cast(String).label("reason"),
        )
        .select_from(Alert)
        .join(h, true())
        .outerjoin(Manifest, col(Manifest.id) == col(Alert.manifest_id))
        .where(
            col(Alert.assignee_id) == actor.user_id,
            h.c.at >= since,
            h.c.by.is_distinct_from(actor.user_id),
            access.alert_scope(actor),
        )
    )


def items(actor: Principal, since: datetime) -> Subquery | None:
    """Everything the actor is notified of since ``since`` (``None``: nothing can be, e.g. an admin)."""
    parts = [p for p in (_from_events(actor, since), _from_alerts(actor, since)) if p is not None]
    if not parts:
        return None
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("items")


async def read_up_to(session: AsyncSession, actor: Principal) -> datetime | None:
    """The latest "mark all read" of the actor."""
    stmt = sa_select(func.max(col(NotificationReadAll.up_to))).where(col(NotificationReadAll.user_id) == actor.user_id)
    result: datetime | None = (await session.execute(stmt)).scalar_one()
    return result


def unread(actor: Principal, its: Subquery, up_to: datetime | None) -> ColumnElement[bool]:
    """Not covered by a "mark all read", and not marked one by one."""
    marked = exists().where(col(NotificationRead.user_id) == actor.user_id, col(NotificationRead.item_id) == its.c.id)
    newer = its.c.at > up_to if up_to is not None else true()
    return and_(newer, ~marked)


async def count_unread(session: AsyncSession, actor: Principal, now: datetime) -> int:
    up_to = await read_up_to(session, actor)
    since = now - WINDOW
    # What a "mark all read" covers need not be looked at: the window starts there.
    its = items(actor, max(since, up_to) if up_to else since)
    if its is None:
        return 0
    stmt = sa_select(func.count()).select_from(its).where(unread(actor, its, up_to))
    return int((await session.execute(stmt)).scalar_one())


async def newest(session: AsyncSession, actor: Principal, now: datetime, limit: int) -> list[dict[str, Any]]:
    """The actor's notifications in the window, newest first, each with its ``unread`` flag."""
    its = items(actor, now - WINDOW)
    if its is None or limit <= 0:
        return []
    up_to = await read_up_to(session, actor)
    stmt = (
        sa_select(*(its.c[name] for name in COLUMNS), unread(actor, its, up_to).label("unread"))
        .order_by(its.c.at.desc(), its.c.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in (await session.execute(stmt)).mappings()]


async def existing(session: AsyncSession, actor: Principal, now: datetime, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are the actor's notifications in the window."""
    its = items(actor, now - WINDOW)
    if its is None or not ids:
        return set()
    stmt = sa_select(its.c.id).where(its.c.id.in_(list(ids)))
    return {str(x) for x in (await session.execute(stmt)).scalars()}
