"""Reading manifests: scoped lists with filters and stable cursor pagination."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, false, or_, select, true, union
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Invalid
from waste_tracker.models import Manifest, ManifestLine

HIDDEN_FROM_OTHERS = ("draft", "deleted")


@dataclass
class ManifestFilter:
    status: list[str] | None = None
    kind: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    waste_code: str | None = None
    category: str | None = None
    county: int | None = None
    generator_org_id: uuid.UUID | None = None
    receiver_org_id: uuid.UUID | None = None
    carrier_org_id: uuid.UUID | None = None
    number: str | None = None


def scope_clause(actor: Principal) -> Any:
    not_draft = Manifest.status.notin_(HIDDEN_FROM_OTHERS)
    if actor.is_admin:
        return true()
    if actor.is_regulator:
        counties = list(actor.county_scope or [])
        if not counties:
            return false()
        return and_(not_draft, or_(Manifest.generator_county.in_(counties), Manifest.receiver_county.in_(counties)))
    org = actor.organisation_id
    if org is None:
        return false()
    if actor.role == "driver":
        return and_(not_draft, Manifest.carrier_org_id == org)
    return or_(
        Manifest.generator_org_id == org,
        and_(not_draft, or_(Manifest.carrier_org_id == org, Manifest.receiver_org_id == org)),
    )


def encode_cursor(created_at: datetime, mid: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{mid}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        ts, mid = raw.split("|")
        at = datetime.fromisoformat(ts)
        if at.tzinfo is None:
            raise ValueError
        return at, uuid.UUID(mid)
    except (ValueError, UnicodeDecodeError) as e:
        raise Invalid("invalid_cursor", {}) from e


MAX_BRANCHES = 16  # above this many counties a regulator's scope stays one IN (...) condition


def scope_branches(actor: Principal) -> list[Any]:
    """The caller's scope as a list of conditions whose union is ``scope_clause``, each one an
    index range that is already in list order (org or county, then ``created_at DESC``)."""
    not_draft = Manifest.status.notin_(HIDDEN_FROM_OTHERS)
    if actor.is_admin:
        return [true()]
    if actor.is_regulator:
        counties = sorted(actor.county_scope or [])
        if not counties:
            return [false()]
        if len(counties) > MAX_BRANCHES:
            return [scope_clause(actor)]
        return [and_(not_draft, col == c) for col in (Manifest.generator_county, Manifest.receiver_county) for c in counties]
    org = actor.organisation_id
    if org is None:
        return [false()]
    if actor.role == "driver":
        return [and_(not_draft, Manifest.carrier_org_id == org)]
    return [
        Manifest.generator_org_id == org,
        and_(not_draft, Manifest.carrier_org_id == org),
        and_(not_draft, Manifest.receiver_org_id == org),
    ]


def _filters(f: ManifestFilter, cursor: str | None) -> list[Any]:
    out: list[Any] = []
    if f.status:
        out.append(Manifest.status.in_(f.status))
    if f.kind:
        out.append(Manifest.kind == f.kind)
    if f.created_from:
        out.append(Manifest.created_at >= clock.start_of(f.created_from))
    if f.created_to:
        out.append(Manifest.created_at < clock.end_of(f.created_to))
    if f.waste_code:
        out.append(exists().where(ManifestLine.manifest_id == Manifest.id, ManifestLine.waste_code == f.waste_code))
    if f.category:
        out.append(exists().where(ManifestLine.manifest_id == Manifest.id, ManifestLine.category_code == f.category.upper()))
    if f.county:
        out.append(or_(Manifest.generator_county == f.county, Manifest.receiver_county == f.county))
    if f.generator_org_id:
        out.append(Manifest.generator_org_id == f.generator_org_id)
    if f.receiver_org_id:
        out.append(Manifest.receiver_org_id == f.receiver_org_id)
    if f.carrier_org_id:
        out.append(Manifest.carrier_org_id == f.carrier_org_id)
    if f.number:
        out.append(Manifest.number.like(f.number.replace("%", "").replace("_", "") + "%"))
    if cursor:
        at, mid = decode_cursor(cursor)
        out.append(or_(Manifest.created_at < at, and_(Manifest.created_at == at, Manifest.id < mid)))
    return out


async def list_manifests(
    session: AsyncSession, actor: Principal, f: ManifestFilter, cursor: str | None = None, limit: int = 50
) -> tuple[list[Manifest], str | None]:
    """Newest first. An enterprise sees what it generates, carries or receives: one OR over three
    columns would make PostgreSQL collect every matching row (50 000 for a big generator) and
    sort them for each page. Instead each part of the scope is its own ordered index scan that
    stops after one page, and the pages are merged; the result is the same set, in the same order."""
    filters = _filters(f, cursor)
    order = (Manifest.created_at.desc(), Manifest.id.desc())
    branches = scope_branches(actor)
    if len(branches) == 1:
        stmt = select(Manifest).where(branches[0], *filters).order_by(*order).limit(limit + 1)
    else:
        parts = [
            select(Manifest.id, Manifest.created_at).where(b, *filters).order_by(*order).limit(limit + 1).subquery()
            for b in branches
        ]
        merged = union(*(select(p.c.id, p.c.created_at) for p in parts)).subquery()
        page = select(merged.c.id).order_by(merged.c.created_at.desc(), merged.c.id.desc()).limit(limit + 1)
        stmt = select(Manifest).where(Manifest.id.in_(page)).order_by(*order)
    rows = list((await session.execute(stmt)).scalars())
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def describe(session: AsyncSession, m: Manifest) -> dict[str, Any]:
    """Everything a reader of one manifest needs: parties with names and places, lines, findings."""
    from sqlalchemy import text

    from waste_tracker.manifest.events import state_of
    from waste_tracker.manifest.lifecycle import allowed
    from waste_tracker.manifest.service import get_lines
    from waste_tracker.models import Finding

    rows = (
        (
            await session.execute(
                text(
                    """SELECT o.id AS organisation_id, o.name AS organisation_name, o.uscc, s.id AS site_id, s.name AS site_name,
                  ST_X(s.location) AS lon, ST_Y(s.location) AS lat, s.county_adcode, j.name AS county_name,
                  s.city_adcode
           FROM site s JOIN organisation o ON o.id = s.organisation_id
           JOIN jurisdiction j ON j.adcode = s.county_adcode WHERE s.id = ANY(:ids)"""
                ),
                {"ids": [m.generator_site_id, m.receiver_site_id]},
            )
        )
        .mappings()
        .all()
    )
    sites = {r["site_id"]: dict(r) for r in rows}
    carrier = (
        await session.execute(text("SELECT id, name, uscc FROM organisation WHERE id = :c"), {"c": m.carrier_org_id})
    ).one()

    def party(site_id: uuid.UUID) -> dict[str, Any]:
        r = sites[site_id]
        return {
            **{
                k: r[k]
                for k in (
                    "organisation_id",
                    "organisation_name",
                    "uscc",
                    "site_id",
                    "site_name",
                    "county_adcode",
                    "county_name",
                    "city_adcode",
                )
            },
            "location": {"type": "Point", "coordinates": (r["lon"], r["lat"])},
        }

    findings = list((await session.execute(select(Finding).where(Finding.manifest_id == m.id).order_by(Finding.id))).scalars())
    data = {c: getattr(m, c) for c in type(m).model_fields}
    data.update(
        generator=party(m.generator_site_id),
        receiver=party(m.receiver_site_id),
        carrier={"organisation_id": carrier[0], "organisation_name": carrier[1], "uscc": carrier[2]},
        lines=await get_lines(session, m.id),
        allowed_actions=[str(a) for a in allowed(state_of(m))] if m.version else [],
        findings=[
            {
                "code": f.code,
                "severity": f.severity,
                "event_seq": f.event_seq,
                "details": f.details,
                "created_at": f.created_at,
            }
            for f in findings
        ],
    )
    return data
