"""The regulator's alert workflow: open -> acknowledged -> resolved or dismissed (note required),
assign, comment. Every change is written to the alert's history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.alerts.workflow import CLOSED, WORKFLOW, allowed
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.manifest import access
from waste_tracker.models import Alert, AlertHistory, User
from waste_tracker.registry.jurisdictions import counties_under


async def get_alert(session: AsyncSession, actor: Principal, alert_id: int, lock: bool = False) -> Alert:
    stmt = select(Alert).where(Alert.id == alert_id)
    if lock:
        stmt = stmt.with_for_update()
    a = (await session.execute(stmt)).scalar_one_or_none()
    if a is None or not access.can_see_alert(actor, a):
        raise NotFound("alert", alert_id)
    return a


async def act(session: AsyncSession, actor: Principal, alert_id: int, action: str, note: str | None = None) -> Alert:
    if not (actor.is_regulator or actor.is_admin):
        raise Forbidden("forbidden", {"reason": "regulators act on alerts; enterprises only read theirs"})
    if action not in WORKFLOW:
        raise Invalid("validation_error", {"field": "action", "allowed": list(WORKFLOW)})
    a = await get_alert(session, actor, alert_id, lock=True)
    move = WORKFLOW[action]
    if a.status not in move.applies:
        raise Conflict("invalid_alert_transition", {"status": a.status, "action": action, "allowed": allowed(a.status)})
    note = (note or "").strip()
    if move.note_required and not note:
        raise Invalid("note_required", {"action": action})
    now = clock.now()
    old = a.status
    if move.to:
        a.status = move.to
        a.closed_at = now if move.to in CLOSED else None
    return await _recorded(session, actor, a, now, move.past, old, note)


async def assign(
    session: AsyncSession, actor: Principal, alert_id: int, assignee_id: uuid.UUID | None, note: str | None = None
) -> Alert:
    if not (actor.is_regulator or actor.is_admin):
        raise Forbidden()
    a = await get_alert(session, actor, alert_id, lock=True)
    if assignee_id is not None:
        u = await session.get(User, assignee_id)
        if u is None or u.role != "regulator" or not u.is_active or u.jurisdiction_adcode is None:
            raise Invalid("invalid_assignee", {"assignee_id": str(assignee_id)})
        scope = await counties_under(session, u.jurisdiction_adcode)
        if not (access.alert_counties(a) & scope):
            raise Invalid("invalid_assignee", {"assignee_id": str(assignee_id)})
    old_assignee = a.assignee_id
    a.assignee_id = assignee_id
    moved = {"from": str(old_assignee) if old_assignee else None, "to": str(assignee_id) if assignee_id else None}
    return await _recorded(session, actor, a, clock.now(), "assigned", a.status, note, moved)


async def _recorded(
    session: AsyncSession,
    actor: Principal,
    a: Alert,
    now: datetime,
    action: str,
    old_status: str,
    note: str | None,
    details: dict[str, Any] | None = None,
) -> Alert:
    """The change made to ``a`` by ``actor``, written to its history."""
    assert a.id is not None  # a stored alert
    a.updated_at = now
    session.add(
        AlertHistory(
            alert_id=a.id,
            at=now,
            actor_user_id=actor.user_id,
            action=action,
            old_status=old_status,
            new_status=a.status,
            note=(note or "").strip() or None,
            details=details if details is not None else {},
        )
    )
    await session.flush()
    return a


async def history(session: AsyncSession, alert_id: int) -> list[AlertHistory]:
    return list(
        (
            await session.execute(select(AlertHistory).where(AlertHistory.alert_id == alert_id).order_by(col(AlertHistory.id)))
        ).scalars()
    )
