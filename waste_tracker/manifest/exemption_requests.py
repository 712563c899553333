"""Exemption requests: an enterprise asks, a regulator grants or refuses.

The enterprise names the site the waste leaves, the receiver site, the codes, the quantity and
the period, and why; whether it is a cross-county or a cross-city exemption follows from the
codes' kind and the two sites (the jurisdiction rule itself), so a request that the rule does not
need is refused at once (``exemption_not_needed``). Granting makes the exemption through
``exemptions.grant`` — the same checks of who may grant what, the same cap — and links it.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.manifest import exemptions
from waste_tracker.manifest.checks import rule_between
from waste_tracker.models import ExemptionRequest, Site
from waste_tracker.registry import catalogue


async def request(
    session: AsyncSession,
    actor: Principal,
    *,
    generator_site_id: uuid.UUID,
    receiver_site_id: uuid.UUID,
    waste_codes: list[str],
    quantity_kg: Decimal,
    valid_from: date,
    valid_to: date,
    reason: str,
) -> ExemptionRequest:
    org = actor.require_org_role("generator")
    gen = await session.get(Site, generator_site_id)
    if gen is None or gen.organisation_id != org:
        raise Invalid("invalid_generator_site", {"site_id": str(generator_site_id)})
    rcv = await session.get(Site, receiver_site_id)
    if rcv is None:
        raise Invalid("invalid_receiver", {"site_id": str(receiver_site_id)})
    codes = sorted(set(waste_codes))
    if not codes:
        raise Invalid("validation_error", {"field": "waste_codes", "reason": "at least one code"})
    found = await catalogue.resolve_codes(session, codes)
    kinds = {r["kind"] for r in found.values()}
    if len(kinds) > 1:
        raise Invalid("mixed_waste_kinds", {"kinds": sorted(kinds)})
    if valid_from > valid_to or valid_to < clock.today():
        raise Invalid("invalid_validity_window", {"valid_from": str(valid_from), "valid_to": str(valid_to)})
    if not reason.strip():
        raise Invalid("reason_required", {})
    crossing = rule_between(kinds.pop(), gen, rcv)
    if crossing is None:
        raise Invalid("exemption_not_needed", {"receiver_site_id": str(rcv.id)})
    r = ExemptionRequest(
        scope=crossing[1],
        generator_org_id=org,
        generator_site_id=gen.id,
        receiver_site_id=rcv.id,
        waste_codes=codes,
        quantity_kg=quantity_kg,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip(),
        requested_by=actor.user_id,
    )
    session.add(r)
    await session.flush()
    return r


def _readable(actor: Principal) -> Any:
    """What the actor reads: an enterprise its own requests; a regulator those leaving its
    counties; an admin all (one condition, for the list and for one request alike)."""
    if actor.is_regulator:
        leaving = select(Site.id).where(col(Site.county_adcode).in_(sorted(actor.county_scope or [])))
        return col(ExemptionRequest.generator_site_id).in_(leaving)
    if actor.is_admin:
        return true()
    return col(ExemptionRequest.generator_org_id) == actor.organisation_id


async def list_requests(session: AsyncSession, actor: Principal, status: str | None = None) -> list[ExemptionRequest]:
    """An enterprise's own requests; a regulator's, those leaving its counties; an admin's, all."""
    stmt = select(ExemptionRequest).where(_readable(actor))
    if status:
        stmt = stmt.where(ExemptionRequest.status == status)
    return list((await session.execute(stmt.order_by(col(ExemptionRequest.created_at).desc()).limit(500))).scalars())


async def _pending(session: AsyncSession, actor: Principal, request_id: uuid.UUID) -> ExemptionRequest:
    stmt = select(ExemptionRequest).where(ExemptionRequest.id == request_id, _readable(actor)).with_for_update()
    r = (await session.execute(stmt)).scalar_one_or_none()
    if r is None:
        raise NotFound("exemption_request", request_id)
    if r.status != "pending":
        raise Conflict("exemption_request_decided", {"status": r.status})
    return r


async def grant(
    session: AsyncSession, actor: Principal, request_id: uuid.UUID, *, quantity_kg: Decimal | None = None, note: str = ""
) -> ExemptionRequest:
    """Grant as asked (or for less): the exemption is made by the usual grant, with its checks."""
    r = await _pending(session, actor, request_id)
    ex = await exemptions.grant(
        session,
        actor,
        scope=r.scope,
        generator_org_id=r.generator_org_id,
        generator_site_id=r.generator_site_id,
        receiver_site_id=r.receiver_site_id,
        waste_codes=list(r.waste_codes),
        quantity_cap_kg=min(quantity_kg, r.quantity_kg) if quantity_kg else r.quantity_kg,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        reason=f"{r.reason}（申请 {r.id}）{note.strip()}",
    )
    r.status, r.exemption_id = "granted", ex.id
    r.decided_by, r.decided_at, r.decision_note = actor.user_id, clock.now(), note.strip()
    await session.flush()
    return r


async def refuse(session: AsyncSession, actor: Principal, request_id: uuid.UUID, note: str) -> ExemptionRequest:
    actor.require("regulator", "admin")
    if not note.strip():
        raise Invalid("reason_required", {})
    r = await _pending(session, actor, request_id)
    r.status, r.decided_by, r.decided_at, r.decision_note = "refused", actor.user_id, clock.now(), note.strip()
    await session.flush()
    return r


async def withdraw(session: AsyncSession, actor: Principal, request_id: uuid.UUID) -> ExemptionRequest:
    r = await _pending(session, actor, request_id)
    if r.generator_org_id != actor.organisation_id or actor.role != "enterprise":
        raise Forbidden("forbidden", {"reason": "only the organisation that asked may withdraw"})
    r.status, r.decided_by, r.decided_at = "withdrawn", actor.user_id, clock.now()
    await session.flush()
    return r
