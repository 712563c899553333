"""Exemptions to the jurisdiction rule, granted by regulators.

A city regulator grants cross-city ones (hazardous waste leaving the city); a county regulator
grants cross-county ones (general waste leaving the county). A grant names the generator site the
waste leaves: its county decides who may grant (a regulator where that county is in its
jurisdiction), and the grant covers submissions from that site only.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.config import get_settings
from waste_tracker.errors import Forbidden, Invalid, NotFound
from waste_tracker.models import Exemption, Organisation, Site
from waste_tracker.registry import catalogue


async def _generator_site(session: AsyncSession, org_id: uuid.UUID, site_id: uuid.UUID | None) -> Site:
    """The site the waste leaves: the one named, or the organisation's only site."""
    if site_id is None:
        sites = list((await session.execute(select(Site).where(Site.organisation_id == org_id).limit(2))).scalars())
        if len(sites) != 1:
            raise Invalid("generator_site_required", {"generator_org_id": str(org_id), "sites": len(sites)})
        return sites[0]
    site = await session.get(Site, site_id)
    if site is None or site.organisation_id != org_id:
        raise Invalid("invalid_generator_site", {"site_id": str(site_id)})
    return site


async def _origin_county(session: AsyncSession, ex: Exemption) -> set[int]:
    """The county an exemption lets waste leave (all the organisation's, for a grant from before
    grants named their site: such a grant covers nothing, but may still be revoked)."""
    stmt = select(Site.county_adcode)
    stmt = (
        stmt.where(Site.id == ex.generator_site_id)
        if ex.generator_site_id
        else stmt.where(Site.organisation_id == ex.generator_org_id)
    )
    return set((await session.execute(stmt)).scalars())


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
    generator_site_id: uuid.UUID | None = None,
) -> Exemption:
    actor.require("regulator", "admin")
    if scope not in ("cross_county", "cross_city"):
        raise Invalid("validation_error", {"field": "scope", "allowed": ["cross_county", "cross_city"]})
    org = await session.get(Organisation, generator_org_id)
    if org is None or "generator" not in org.roles:
        raise Invalid("organisation_role_missing", {"role": "generator"})
    origin = await _generator_site(session, generator_org_id, generator_site_id)
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
        raise Invalid("validation_error", {"field": "quantity_cap_kg", "reason": "must be above 0"})
    if not actor.is_admin:
        # Judged by the county the waste leaves, not by any other site the enterprise may have.
        if not actor.in_scope(origin.county_adcode):
            raise Forbidden("outside_jurisdiction", {"generator_site_id": str(origin.id), "county": origin.county_adcode})
        if scope == "cross_city" and not actor.is_city_regulator:
            raise Forbidden("city_regulator_required", {"scope": scope})
    ex = Exemption(
        scope=scope,
        generator_org_id=generator_org_id,
        generator_site_id=origin.id,
        receiver_site_id=receiver_site_id,
        waste_codes=codes,
        quantity_cap_kg=quantity_cap_kg,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason.strip(),
        granted_by=actor.user_id,
        granted_in=actor.jurisdiction_adcode or get_settings().home_city_adcode,
    )
    session.add(ex)
    await session.flush()
    return ex


async def list_exemptions(session: AsyncSession, actor: Principal, generator_org_id: uuid.UUID | None = None) -> list[Exemption]:
    stmt = select(Exemption)
    if actor.role in ("enterprise", "driver"):
        stmt = stmt.where(Exemption.generator_org_id == actor.organisation_id)
    elif actor.is_regulator:
        in_scope = select(Site.organisation_id).where(col(Site.county_adcode).in_(list(actor.county_scope or [])))
        stmt = stmt.where(col(Exemption.generator_org_id).in_(in_scope))
    if generator_org_id:
        stmt = stmt.where(Exemption.generator_org_id == generator_org_id)
    return list((await session.execute(stmt.order_by(col(Exemption.created_at).desc()))).scalars())


async def revoke(session: AsyncSession, actor: Principal, exemption_id: uuid.UUID) -> Exemption:
    actor.require("regulator", "admin")
    ex = await session.get(Exemption, exemption_id)
    if ex is None:
        raise NotFound("exemption", exemption_id)
    if not actor.is_admin:
        counties = await _origin_county(session, ex)
        if not actor.in_scope(*counties) or (ex.scope == "cross_city" and not actor.is_city_regulator):
            raise Forbidden("outside_jurisdiction", {})
    if ex.revoked_at is None:
        ex.revoked_at = clock.now()
        ex.revoked_by = actor.user_id
        await session.flush()
    return ex
