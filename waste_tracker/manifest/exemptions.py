"""Exemptions to the jurisdiction rule, granted by regulators.

A city regulator grants cross-city ones (hazardous waste leaving the city); a county regulator
grants cross-county ones (general waste leaving the county) for generators in their county.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid, NotFound
from waste_tracker.models import Exemption, Organisation, Site
from waste_tracker.registry import catalogue


async def _generator_counties(session: AsyncSession, org_id: uuid.UUID) -> set[int]:
    return set((await session.execute(select(Site.county_adcode).where(Site.organisation_id == org_id))).scalars())


async def grant(
    session: AsyncSession,
    actor: Principal,
    *,
    scope: str,
    generator_org_id: uuid.UUID,
    receiver_site_id: uuid.UUID,
    waste_codes: list[str],
    quantity_cap_kg: Decimal,
    valid_from: date,
    valid_to: date,
    reason: str,
) -> Exemption:
    actor.require("regulator", "admin")
    if scope not in ("cross_county", "cross_city"):
        raise Invalid("validation_error", {"field": "scope", "allowed": ["cross_county", "cross_city"]})
    org = await session.get(Organisation, generator_org_id)
    if org is None or "generator" not in org.roles:
        raise Invalid("organisation_role_missing", {"role": "generator"})
    site = await session.get(Site, receiver_site_id)
    if site is None:
        raise NotFound("site", receiver_site_id)
    if valid_from > valid_to:
        raise Invalid("invalid_validity_window", {"valid_from": str(valid_from), "valid_to": str(valid_to)})
    if not reason.strip():
        raise Invalid("reason_required", {})
    codes = sorted(set(waste_codes))
    if not codes:
        raise Invalid("validation_error", {"field": "waste_codes", "reason": "at least one code"})
    await catalogue.resolve_codes(session, codes)
    if quantity_cap_kg <= 0:
        raise Invalid("quantity_out_of_range", {"field": "quantity_cap_kg"})
    if not actor.is_admin:
        counties = await _generator_counties(session, generator_org_id)
        if not actor.in_scope(*counties):
            raise Forbidden("outside_jurisdiction", {"generator_counties": sorted(counties)})
        if scope == "cross_city" and not actor.is_city_regulator:
            raise Forbidden("city_regulator_required", {"scope": scope})
    ex = Exemption(
        scope=scope,
        generator_org_id=generator_org_id,
        receiver_site_id=receiver_site_id,
        waste_codes=codes,
        quantity_cap_kg=quantity_cap_kg,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip(),
        granted_by=actor.user_id,
        granted_in=actor.jurisdiction_adcode or 330400,
    )
    session.add(ex)
    await session.flush()
    return ex


async def list_exemptions(session: AsyncSession, actor: Principal, generator_org_id: uuid.UUID | None = None) -> list[Exemption]:
    stmt = select(Exemption)
    if actor.role in ("enterprise", "driver"):
        stmt = stmt.where(Exemption.generator_org_id == actor.organisation_id)
    elif actor.is_regulator:
        in_scope = select(Site.organisation_id).where(Site.county_adcode.in_(list(actor.county_scope or [])))
        stmt = stmt.where(Exemption.generator_org_id.in_(in_scope))
    if generator_org_id:
        stmt = stmt.where(Exemption.generator_org_id == generator_org_id)
    return list((await session.execute(stmt.order_by(Exemption.created_at.desc()))).scalars())


async def revoke(session: AsyncSession, actor: Principal, exemption_id: uuid.UUID) -> Exemption:
    actor.require("regulator", "admin")
    ex = await session.get(Exemption, exemption_id)
    if ex is None:
        raise NotFound("exemption", exemption_id)
    if not actor.is_admin:
        counties = await _generator_counties(session, ex.generator_org_id)
        if not actor.in_scope(*counties) or (ex.scope == "cross_city" and not actor.is_city_regulator):
            raise Forbidden("outside_jurisdiction", {})
    if ex.revoked_at is None:
        ex.revoked_at = clock.now()
        ex.revoked_by = actor.user_id
        await session.flush()
    return ex
