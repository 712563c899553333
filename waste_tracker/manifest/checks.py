"""The blocking checks at submission: licence, permit, the jurisdiction rule (with exemptions),
and the generator-to-receiver distance."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker.errors import Invalid
from waste_tracker.models import Exemption, Licence, ManifestLine, Site, TransportPermit
from waste_tracker.registry.licences import licence_covers


@dataclass(frozen=True)
class JurisdictionOutcome:
    rule: str | None  # hazardous_leaves_city | solid_waste_leaves_county | None (inside)
    exemption: Exemption | None
    remaining_kg: Decimal | None


async def receiver_licence(
    session: AsyncSession,
    receiver_site_id: uuid.UUID,
    lines: list[ManifestLine],
    method: str,
    on: date,
) -> Licence:
    """One licence of the receiver site, valid on ``on``, covering every line and the method."""
    licences = list((await session.execute(select(Licence).where(Licence.site_id == receiver_site_id))).scalars())
    for lic in licences:
        if all(licence_covers(lic, ln.waste_code, ln.category_code, method, on) for ln in lines):
            return lic
    valid = [lic for lic in licences if lic.valid_from <= on <= lic.valid_to]
    uncovered = sorted(
        {
            ln.waste_code
            for ln in lines
            if not any(licence_covers(lic, ln.waste_code, ln.category_code, method, on) for lic in valid)
        }
    )
    reason = "no_valid_licence" if not valid else "codes_or_method_not_covered"
    raise Invalid(
        "receiver_not_licensed",
        {
            "receiver_site_id": str(receiver_site_id),
            "reason": reason,
            "uncovered_codes": uncovered,
            "method": method,
            "date": str(on),
        },
    )


async def carrier_permit(
    session: AsyncSession, carrier_org_id: uuid.UUID, hazardous: bool, on: date, *, position: int = 1
) -> TransportPermit:
    """The carrier's transport permit valid on ``on`` (``position``: which carrier of the manifest)."""
    permits = list(
        (await session.execute(select(TransportPermit).where(TransportPermit.organisation_id == carrier_org_id))).scalars()
    )
    current = [p for p in permits if p.valid_from <= on <= p.valid_to]
    valid = [p for p in current if p.revoked_at is None]
    ok = [p for p in valid if p.hazardous_allowed or not hazardous]
    if ok:
        return ok[0]
    reason = "hazardous_goods_not_permitted" if valid else "permit_revoked" if current else "no_valid_permit"
    raise Invalid(
        "carrier_not_permitted",
        {
            "carrier_org_id": str(carrier_org_id),
            "position": position,
            "reason": reason,
            "date": str(on),
            "hazardous": hazardous,
        },
    )


async def distance_between_sites(session: AsyncSession, a: Site, b: Site) -> float:
    """Geodesic distance in metres (PostGIS geography, WGS-84 spheroid)."""
    return float(
        (
            await session.execute(
                text(
                    "SELECT ST_Distance(a.location::geography, b.location::geography) FROM site a, site b "
                    "WHERE a.id = :a AND b.id = :b"
                ),
                {"a": a.id, "b": b.id},
            )
        ).scalar_one()
    )


async def names_of(session: AsyncSession, *adcodes: int) -> dict[int, str]:
    rows = (
        await session.execute(text("SELECT adcode, name FROM jurisdiction WHERE adcode = ANY(:a)"), {"a": list(adcodes)})
    ).all()
    return {r[0]: r[1] for r in rows}


JurisdictionRule = Literal["hazardous_leaves_city", "solid_waste_leaves_county"]
ExemptionScope = Literal["cross_city", "cross_county"]


def rule_between(
    kind: str, generator_site: Site, receiver_site: Site
) -> tuple[JurisdictionRule, ExemptionScope, int, int] | None:
    """Pure part of the jurisdiction rule: (rule, exemption scope needed, from adcode, to adcode) when a
    transfer between these sites leaves the area the rule protects, else None. Hazardous waste stays in
    its city, general waste in its county."""
    if kind == "hazardous":
        g, r = generator_site.city_adcode, receiver_site.city_adcode
        return ("hazardous_leaves_city", "cross_city", g, r) if g != r else None
    g, r = generator_site.county_adcode, receiver_site.county_adcode
    return ("solid_waste_leaves_county", "cross_county", g, r) if g != r else None


async def jurisdiction_rule(
    session: AsyncSession,
    *,
    kind: str,
    generator_org_id: uuid.UUID,
    generator_site: Site,
    receiver_site: Site,
    codes: list[str],
    quantity_kg: Decimal,
    on: date,
    lock: bool = True,
) -> JurisdictionOutcome:
    """固体废物不出县、危险废物不出市: refuse unless an exemption covers it (and has room left).

    With ``lock`` the covering exemption row is locked so its remaining quantity cannot be spent
    twice by concurrent submissions."""
    crossing = rule_between(kind, generator_site, receiver_site)
    if crossing is None:
        return JurisdictionOutcome(None, None, None)
    rule, scope, g, r = crossing
    stmt = (
        select(Exemption)
        .where(
            Exemption.generator_org_id == generator_org_id,
            Exemption.generator_site_id == generator_site.id,
            Exemption.receiver_site_id == receiver_site.id,
            Exemption.scope == scope,
            col(Exemption.revoked_at).is_(None),
            Exemption.valid_from <= on,
            Exemption.valid_to >= on,
            col(Exemption.waste_codes).contains(sorted(set(codes))),
        )
        .order_by(col(Exemption.valid_to), col(Exemption.id))
    )
    if lock:
        stmt = stmt.with_for_update()
    candidates = list((await session.execute(stmt)).scalars())
    for ex in candidates:
        remaining = ex.quantity_cap_kg - ex.used_kg
        if remaining >= quantity_kg:
            return JurisdictionOutcome(rule, ex, remaining - quantity_kg)
    names = await names_of(session, g, r)
    details = {
        "from": g,
        "to": r,
        "from_name": names.get(g, str(g)),
        "to_name": names.get(r, str(r)),
        "exemption_needed": scope,
    }
    if candidates:
        best = max(candidates, key=lambda e: e.quantity_cap_kg - e.used_kg)
        details |= {
            "exemption_id": str(best.id),
            "exemption_remaining_kg": f"{best.quantity_cap_kg - best.used_kg:.3f}",
            "needed_kg": f"{quantity_kg:.3f}",
            "reason": "exemption_exhausted",
        }
    raise Invalid(rule, details)
