"""Receivers a generator may choose for a load: licensed for every waste code (and the method),
nearest first, each with the jurisdiction rule's verdict, so the choice is explained before a
submission is refused.

Uses the same pieces as the submission checks (``licence_covers``, ``checks.rule_between``), so
what this lists as "allowed" or "exempted" is what ``submit`` accepts on that day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import units
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Invalid
from waste_tracker.i18n import DEFAULT_LANG, register, translate
from waste_tracker.manifest.checks import ExemptionScope, JurisdictionRule, rule_between
from waste_tracker.models import Exemption, Licence, Site
from waste_tracker.registry import catalogue
from waste_tracker.registry.licences import licence_covers
from waste_tracker.registry.names import jurisdiction_names
from waste_tracker.registry.organisations import get_site

Outcome = Literal["allowed", "exempted", "needs_exemption"]
WasteKind = Literal["hazardous", "general"]
ALLOWED: Outcome = "allowed"
EXEMPTED: Outcome = "exempted"
NEEDS_EXEMPTION: Outcome = "needs_exemption"

register(
    {
        "candidate_allowed_city": {
            "zh-CN": "允许：接受人与移出人同在{to_name}，符合“危险废物不出市”。",
            "en": "Allowed: the receiver is in {to_name}, the generator's city (hazardous waste stays in its city).",
        },
        "candidate_allowed_county": {
            "zh-CN": "允许：接受人与移出人同在{to_name}，符合“固体废物不出县”。",
            "en": "Allowed: the receiver is in {to_name}, the generator's county (general waste stays in its county).",
        },
        "candidate_exempted": {
            "zh-CN": "需豁免且已有豁免：从{from_name}转往{to_name}，已批准的豁免尚余 {remaining_t} 吨。",
            "en": "Needs an exemption, and one covers it: {from_name} to {to_name}, "
            "{remaining_t} t left on the granted exemption.",
        },
    }
)


@dataclass
class Candidate:
    site: Site
    organisation_name: str
    county_name: str
    city_name: str
    lon: float
    lat: float
    distance_m: float
    licence_numbers: list[str]
    methods: list[str]
    capacity_left_t: Decimal | None
    outcome: Outcome
    explanation: str = ""
    rule: JurisdictionRule | None = None
    exemption_scope: ExemptionScope | None = None
    exemption_id: uuid.UUID | None = None
    exemption_remaining_kg: Decimal | None = None


@dataclass
class Candidates:
    kind: WasteKind
    generator_site: Site
    items: list[Candidate] = field(default_factory=list)


_SITES = text(
    """SELECT s.id, o.name AS org, c.name AS county, p.name AS city, c.name_en AS county_en, p.name_en AS city_en,
              ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
              ST_Distance(s.location::geography, g.location::geography) AS d
       FROM site s JOIN organisation o ON o.id = s.organisation_id
       JOIN jurisdiction c ON c.adcode = s.county_adcode
       JOIN jurisdiction p ON p.adcode = s.city_adcode
       CROSS JOIN (SELECT location FROM site WHERE id = :g) g
       WHERE 'receiver' = ANY(o.roles)
         AND EXISTS (SELECT 1 FROM licence l WHERE l.site_id = s.id AND l.valid_from <= :on AND l.valid_to >= :on)
       ORDER BY d, s.id"""
)

# What each licence has accepted this (Asia/Shanghai) year, from the maintained roll-up.
_USED_THIS_YEAR = text("SELECT licence_id, accepted_kg FROM licence_year_received WHERE licence_id = ANY(:ids) AND year = :y")


async def candidates(
    session: AsyncSession,
    actor: Principal,
    *,
    generator_site_id: uuid.UUID,
    codes: list[str],
    on: date,
    method: str | None = None,
    quantity_kg: Decimal | None = None,
    lang: str = DEFAULT_LANG,
) -> Candidates:
    """Receiver sites licensed on ``on`` for all ``codes`` (and ``method``), nearest first."""
    gen = await get_site(session, actor, generator_site_id)  # 404 outside the caller's view
    codes = sorted(set(codes))
    if not codes:
        raise Invalid("validation_error", {"field": "codes", "reason": "at least one code"})
    found = await catalogue.resolve_codes(session, codes)
    kinds = {r["kind"] for r in found.values()}
    if len(kinds) > 1:
        raise Invalid("mixed_waste_kinds", {"codes": codes})
    kind = cast(WasteKind, kinds.pop())  # the catalogue's kinds (a CHECK constraint holds them to two)
    if method:
        await catalogue.check_method_codes(session, [method])
    rows = (await session.execute(_SITES, {"g": gen.id, "on": on})).mappings().all()
    if not rows:
        return Candidates(kind, gen)
    ids = [r["id"] for r in rows]
    sites = {s.id: s for s in (await session.execute(select(Site).where(col(Site.id).in_(ids)))).scalars()}
    licences: dict[uuid.UUID, list[Licence]] = {}
    for lic in (
        await session.execute(select(Licence).where(col(Licence.site_id).in_(ids)).order_by(col(Licence.number)))
    ).scalars():
        if all(licence_covers(lic, c, found[c]["category_code"], method, on) for c in codes):
            licences.setdefault(lic.site_id, []).append(lic)
    covering = [lic for lics in licences.values() for lic in lics]
    rows_used = await session.execute(_USED_THIS_YEAR, {"ids": [x.id for x in covering], "y": on.year})
    used: dict[uuid.UUID, Decimal] = {row[0]: row[1] for row in rows_used}
    exemptions = await _exemptions(session, gen.id, list(licences), codes, on)
    home = await jurisdiction_names(session, [gen.county_adcode, gen.city_adcode], lang)
    out = Candidates(kind, gen)
    for r in rows:
        lics = licences.get(r["id"])
        if not lics:
            continue
        site = sites[r["id"]]
        left = max((lic.annual_capacity_t - units.kg_to_t(used.get(lic.id, 0)) for lic in lics), default=None)
        c = Candidate(
            site=site,
            organisation_name=r["org"],
            county_name=(r["county_en"] or r["county"]) if lang == "en" else r["county"],
            city_name=(r["city_en"] or r["city"]) if lang == "en" else r["city"],
            lon=float(r["lon"]),
            lat=float(r["lat"]),
            distance_m=float(r["d"]),
            licence_numbers=[lic.number for lic in lics],
            methods=sorted({m for lic in lics for m in lic.method_codes if method is None or m == method}),
            capacity_left_t=left.quantize(Decimal("0.001")) if left is not None else None,
            outcome=ALLOWED,
        )
        hazardous = kind == "hazardous"
        names = {
            "from_name": home.get(gen.city_adcode if hazardous else gen.county_adcode, ""),
            "to_name": c.city_name if hazardous else c.county_name,
        }
        crossing = rule_between(kind, gen, site)
        if crossing is None:
            c.explanation = translate("candidate_allowed_city" if hazardous else "candidate_allowed_county", lang, names)
        else:
            c.rule, c.exemption_scope = crossing[0], crossing[1]
            c.outcome = NEEDS_EXEMPTION
            c.explanation = translate(c.rule, lang, names)
            for ex in exemptions.get((site.id, c.exemption_scope), []):
                remaining = ex.quantity_cap_kg - ex.used_kg
                if remaining > 0 and (quantity_kg is None or remaining >= quantity_kg):
                    c.outcome, c.exemption_id, c.exemption_remaining_kg = EXEMPTED, ex.id, remaining
                    c.explanation = translate("candidate_exempted", lang, names, remaining_t=f"{units.kg_to_t(remaining):.3f}")
                    break
        out.items.append(c)
    return out


async def _exemptions(
    session: AsyncSession, generator_site_id: uuid.UUID, site_ids: list[uuid.UUID], codes: list[str], on: date
) -> dict[tuple[uuid.UUID, str], list[Exemption]]:
    """Exemptions for this generator site that cover all the codes on the day, by (receiver site, scope)."""
    if not site_ids:
        return {}
    stmt = (
        select(Exemption)
        .where(
            col(Exemption.generator_site_id) == generator_site_id,
            col(Exemption.receiver_site_id).in_(site_ids),
            col(Exemption.revoked_at).is_(None),
            Exemption.valid_from <= on,
            Exemption.valid_to >= on,
            col(Exemption.waste_codes).contains(codes),
        )
        .order_by(col(Exemption.valid_to), col(Exemption.id))
    )
    out: dict[tuple[uuid.UUID, str], list[Exemption]] = {}
    for ex in (await session.execute(stmt)).scalars():
        out.setdefault((ex.receiver_site_id, ex.scope), []).append(ex)
    return out
