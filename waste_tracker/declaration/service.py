"""Use cases of declarations: the draft (computed, never stored), submission (immutable), and a
correction (a new version with its reason). Receivers record their monthly balance the same way."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.declaration.draft import draft
from waste_tracker.declaration.periods import Period, period, require_finished
from waste_tracker.errors import Invalid, NotFound
from waste_tracker.ledger import access
from waste_tracker.models import Declaration, ReceiverBalance, Site

MAX_BALANCE_KG = Decimal("1000000000")  # a million tonnes a month: beyond any plant


async def _site_for(session: AsyncSession, actor: Principal, site_id: uuid.UUID) -> Site:
    site = await session.get(Site, site_id)
    if site is None or not access.can_read(actor, site.organisation_id, site.county_adcode):
        raise NotFound("site", site_id)
    return site


async def preview(session: AsyncSession, actor: Principal, site_id: uuid.UUID, kind: str, start: date) -> dict[str, Any]:
    site = await _site_for(session, actor, site_id)
    p = period(kind, start)
    require_finished(p, clock.today())
    return await draft(session, site, p)


async def _latest(session: AsyncSession, site_id: uuid.UUID, p: Period) -> Declaration | None:
    stmt = (
        select(Declaration)
        .where(Declaration.site_id == site_id, Declaration.period_kind == p.kind, Declaration.period_start == p.start)
        .order_by(col(Declaration.version).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def submit(
    session: AsyncSession, actor: Principal, site_id: uuid.UUID, kind: str, start: date, *, reason: str = "", remarks: str = ""
) -> Declaration:
    """Submit the declaration as drafted now. A second submission for the same period is a
    correction: it needs a reason and becomes the next version; the earlier one stays."""
    site = await access.own_site(session, actor, site_id)
    p = period(kind, start)
    now = clock.now()
    require_finished(p, clock.local_date(now))
    # Serialise submissions of one site's period (the version number is taken from the last one).
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"declaration:{site.id}:{p.kind}:{p.start}"))))
    prev = await _latest(session, site.id, p)
    if prev is not None and not reason.strip():
        raise Invalid("reason_required", {"field": "reason", "previous_version": prev.version})
    body = await draft(session, site, p)
    body["remarks"] = remarks
    d = Declaration(
        site_id=site.id,
        organisation_id=site.organisation_id,
        county_adcode=site.county_adcode,
        period_kind=p.kind,
        period_start=p.start,
        period_end=p.end,
        due_on=p.due_on,
        version=(prev.version + 1) if prev else 1,
        body=body,
        reason=reason,
        late=(prev.late if prev else clock.local_date(now) > p.due_on),
        submitted_by=actor.user_id,
        submitted_at=now,
    )
    session.add(d)
    await session.flush()
    return d


async def list_declarations(
    session: AsyncSession, actor: Principal, *, site_id: uuid.UUID | None = None, kind: str | None = None
) -> list[Declaration]:
    conds: list[Any] = [access.scope(actor, col(Declaration.organisation_id), col(Declaration.county_adcode))]
    if site_id is not None:
        conds.append(col(Declaration.site_id) == site_id)
    if kind is not None:
        conds.append(col(Declaration.period_kind) == kind)
    stmt = select(Declaration).where(*conds).order_by(col(Declaration.period_start).desc(), col(Declaration.version).desc())
    return list((await session.execute(stmt.limit(1000))).scalars())


async def get_declaration(session: AsyncSession, actor: Principal, declaration_id: uuid.UUID) -> Declaration:
    d = await session.get(Declaration, declaration_id)
    if d is None or not access.can_read(actor, d.organisation_id, d.county_adcode):
        raise NotFound("declaration", declaration_id)
    return d


# --- the receiver's monthly balance -------------------------------------------------------------------


def _check_kg(name: str, v: Decimal) -> Decimal:
    if not v.is_finite() or v < 0 or v > MAX_BALANCE_KG:
        raise Invalid("weight_out_of_range", {"field": name, "value": str(v), "min_kg": "0", "max_kg": str(MAX_BALANCE_KG)})
    return v.quantize(Decimal("0.001"))


async def record_balance(
    session: AsyncSession,
    actor: Principal,
    site_id: uuid.UUID,
    month: date,
    *,
    utilised_kg: Decimal,
    disposed_kg: Decimal,
    stored_end_kg: Decimal,
    reason: str = "",
) -> ReceiverBalance:
    site = await access.own_site(session, actor, site_id, org_role="receiver")
    p = period("month", month)
    now = clock.now()
    require_finished(p, clock.local_date(now))
    utilised, disposed, stored = (
        _check_kg("utilised_kg", utilised_kg),
        _check_kg("disposed_kg", disposed_kg),
        _check_kg("stored_end_kg", stored_end_kg),
    )
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"receiver_balance:{site.id}:{p.start}"))))
    prev = (
        await session.execute(
            select(ReceiverBalance)
            .where(ReceiverBalance.site_id == site.id, ReceiverBalance.month == p.start)
            .order_by(col(ReceiverBalance.version).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if prev is not None and not reason.strip():
        raise Invalid("reason_required", {"field": "reason", "previous_version": prev.version})
    b = ReceiverBalance(
        site_id=site.id,
        organisation_id=site.organisation_id,
        county_adcode=site.county_adcode,
        month=p.start,
        version=(prev.version + 1) if prev else 1,
        reason=reason,
        recorded_by=actor.user_id,
        recorded_at=now,
        utilised_kg=utilised,
        disposed_kg=disposed,
        stored_end_kg=stored,
    )
    session.add(b)
    await session.flush()
    return b


async def list_balances(session: AsyncSession, actor: Principal, site_id: uuid.UUID | None = None) -> list[ReceiverBalance]:
    conds: list[Any] = [access.scope(actor, col(ReceiverBalance.organisation_id), col(ReceiverBalance.county_adcode))]
    if site_id is not None:
        conds.append(col(ReceiverBalance.site_id) == site_id)
    stmt = select(ReceiverBalance).where(*conds).order_by(col(ReceiverBalance.month).desc(), col(ReceiverBalance.version).desc())
    return list((await session.execute(stmt.limit(1000))).scalars())
