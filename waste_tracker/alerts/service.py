"""The regulator's alert workflow: open -> acknowledged -> resolved or dismissed (note required),
assign, comment. Every change is written to the alert's history."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.models import Alert, AlertHistory, User
from waste_tracker.registry.jurisdictions import counties_under

# action -> (statuses it applies to, resulting status or None for "unchanged", note required)
WORKFLOW: dict[str, tuple[tuple[str, ...], str | None, bool]] = {
    "acknowledge": (("open",), "acknowledged", False),
    "resolve": (("open", "acknowledged"), "resolved", True),
    "dismiss": (("open", "acknowledged"), "dismissed", True),
    "reopen": (("resolved", "dismissed", "auto_resolved"), "open", True),
    "comment": (("open", "acknowledged", "resolved", "dismissed", "auto_resolved"), None, True),
}


PAST = {
    "acknowledge": "acknowledged",
    "resolve": "resolved",
    "dismiss": "dismissed",
    "reopen": "reopened",
    "comment": "commented",
}


def can_see(actor: Principal, a: Alert) -> bool:
    if actor.is_admin:
        return True
    if actor.is_regulator:
        dropoff = a.evidence.get("dropoff_county") if isinstance(a.evidence, dict) else None
        return actor.in_scope(a.generator_county, a.receiver_county, dropoff if isinstance(dropoff, int) else None)
    org = actor.organisation_id
    return org is not None and org in (a.generator_org_id, a.receiver_org_id, a.carrier_org_id)


async def get_alert(session: AsyncSession, actor: Principal, alert_id: int, lock: bool = False) -> Alert:
    stmt = select(Alert).where(Alert.id == alert_id)
    if lock:
        stmt = stmt.with_for_update()
    a = (await session.execute(stmt)).scalar_one_or_none()
    if a is None or not can_see(actor, a):
        raise NotFound("alert", alert_id)
    return a


async def act(session: AsyncSession, actor: Principal, alert_id: int, action: str, note: str | None = None) -> Alert:
    if not (actor.is_regulator or actor.is_admin):
        raise Forbidden("forbidden", {"reason": "regulators act on alerts; enterprises only read theirs"})
    if action not in WORKFLOW:
        raise Invalid("validation_error", {"field": "action", "allowed": list(WORKFLOW)})
    a = await get_alert(session, actor, alert_id, lock=True)
    applies, new_status, note_required = WORKFLOW[action]
    if a.status not in applies:
        raise Conflict(
            "invalid_alert_transition",
            {"status": a.status, "action": action, "allowed": [k for k, v in WORKFLOW.items() if a.status in v[0]]},
        )
    note = (note or "").strip()
    if note_required and not note:
        raise Invalid("note_required", {"action": action})
    now = clock.now()
    old = a.status
    if new_status:
        a.status = new_status
        a.closed_at = now if new_status in ("resolved", "dismissed") else None
    a.updated_at = now
    session.add(
        AlertHistory(
            alert_id=a.id,
            at=now,
            actor_user_id=actor.user_id,
            action=PAST[action],
            old_status=old,
            new_status=a.status,
            note=note or None,
        )
    )
    await session.flush()
    return a


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
        if not ({a.generator_county, a.receiver_county, a.evidence.get("dropoff_county")} & scope):
            raise Invalid("invalid_assignee", {"assignee_id": str(assignee_id)})
    now = clock.now()
    old_assignee = a.assignee_id
    a.assignee_id = assignee_id
    a.updated_at = now
    session.add(
        AlertHistory(
            alert_id=a.id,
            at=now,
            actor_user_id=actor.user_id,
            action="assigned",
            old_status=a.status,
            new_status=a.status,
            note=(note or "").strip() or None,
            details={"from": str(old_assignee) if old_assignee else None, "to": str(assignee_id) if assignee_id else None},
        )
    )
    await session.flush()
    return a


async def history(session: AsyncSession, alert_id: int) -> list[AlertHistory]:
    return list(
        (await session.execute(select(AlertHistory).where(AlertHistory.alert_id == alert_id).order_by(AlertHistory.id))).scalars()
    )
