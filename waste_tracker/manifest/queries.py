"""Reading manifests: one manifest for a reader who may see it, its lines and events, scoped lists
with filters and stable cursor pagination, and the description a reader of one manifest needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, exists, func, or_, text, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import NotFound
from waste_tracker.manifest import access, parties, tabs
from waste_tracker.manifest.events import state_of
from waste_tracker.manifest.lifecycle import allowed
from waste_tracker.models import Finding, Manifest, ManifestEvent, ManifestLine, Organisation
from waste_tracker.pagination import aware, decode_cursor, encode_cursor


async def get_manifest(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID) -> Manifest:
    """The manifest, or 404 when it does not exist or the actor may not see it."""
    m = await session.get(Manifest, manifest_id)
    if m is None or not access.can_see(actor, m):
        raise NotFound("manifest", manifest_id)
    return m


async def get_lines(session: AsyncSession, manifest_id: uuid.UUID) -> list[ManifestLine]:
    stmt = select(ManifestLine).where(ManifestLine.manifest_id == manifest_id).order_by(col(ManifestLine.line_no))
    return list((await session.execute(stmt)).scalars())


async def get_events(session: AsyncSession, manifest_id: uuid.UUID) -> list[ManifestEvent]:
    stmt = select(ManifestEvent).where(ManifestEvent.manifest_id == manifest_id).order_by(col(ManifestEvent.seq))
    return list((await session.execute(stmt)).scalars())


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
    q: str | None = None  # any part of the number, a party's name, a plate, a waste code
    org_id: uuid.UUID | None = None  # a party on any side
    company: str | None = None  # a party on any side by any part of its name (now or as submitted) or credit code
    tab: tabs.Tab | None = None  # the reader's tab (drafts, to act on, in follow-up, archived)


def _contains(value: str) -> str:
    """A LIKE pattern for any part of ``value`` (its own ``%``, ``_`` and ``\\`` taken literally)."""
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(q: str) -> ColumnElement[bool]:
    """One free-text box: any part of the number, of a party's organisation name as submitted (as
    it is now for a draft, and for the carriers taking over), of a vehicle plate (the one holding
    the load or any scan's, typed with or without spaces), of a line's waste code or category."""
    like = _contains(q)
    plate = _contains("".join(q.replace("·", "").split()).upper())
    names = [
        func.jsonb_extract_path_text(col(Manifest.parties), side, "organisation_name").ilike(like, escape="\\")
        for side in parties.SIDES
    ]
    live = exists().where(
        or_(
            and_(
                col(Manifest.parties).is_(None),
                col(Organisation.id).in_([Manifest.generator_org_id, Manifest.carrier_org_id, Manifest.receiver_org_id]),
            ),
            col(Organisation.id) == any_(col(Manifest.handover_carrier_org_ids)),
        ),
        col(Organisation.name).ilike(like, escape="\\"),
    )
    return or_(
        col(Manifest.number).ilike(like, escape="\\"),
        *names,
        live,
        col(Manifest.vehicle_plate).ilike(plate, escape="\\"),
        exists().where(col(ManifestEvent.manifest_id) == Manifest.id, col(ManifestEvent.vehicle_plate).ilike(plate, escape="\\")),
        exists().where(
            col(ManifestLine.manifest_id) == Manifest.id,
            or_(col(ManifestLine.waste_code).ilike(like, escape="\\"), col(ManifestLine.category_code).ilike(like, escape="\\")),
        ),
    )


def _company(text_: str) -> ColumnElement[bool]:
    """A party on any side whose organisation's name or credit code holds ``text_`` now, or whose
    name as submitted does: a renamed company is found by either name."""
    like = _contains(text_)
    named = or_(col(Organisation.name).ilike(like, escape="\\"), col(Organisation.uscc).ilike(like, escape="\\"))
    party = or_(
        col(Organisation.id).in_([Manifest.generator_org_id, Manifest.carrier_org_id, Manifest.receiver_org_id]),
        col(Organisation.id) == any_(col(Manifest.handover_carrier_org_ids)),
    )
    submitted = [
        func.jsonb_extract_path_text(col(Manifest.parties), side, "organisation_name").ilike(like, escape="\\")
        for side in parties.SIDES
    ]
    return or_(exists().where(party, named), *submitted)


def _filters(f: ManifestFilter, cursor: str | None) -> list[Any]:
    out: list[Any] = []
    if f.status:
        out.append(col(Manifest.status).in_(f.status))
    if f.kind:
        out.append(Manifest.kind == f.kind)
    if f.created_from:
        out.append(Manifest.created_at >= clock.start_of(f.created_from))
    if f.created_to:
        out.append(Manifest.created_at < clock.end_of(f.created_to))
    if f.waste_code:
        out.append(exists().where(col(ManifestLine.manifest_id) == Manifest.id, col(ManifestLine.waste_code) == f.waste_code))
    if f.category:
        out.append(
            exists().where(col(ManifestLine.manifest_id) == Manifest.id, col(ManifestLine.category_code) == f.category.upper())
        )
    if f.county:
        out.append(or_(col(Manifest.generator_county) == f.county, col(Manifest.receiver_county) == f.county))
    if f.generator_org_id:
        out.append(Manifest.generator_org_id == f.generator_org_id)
    if f.receiver_org_id:
        out.append(Manifest.receiver_org_id == f.receiver_org_id)
    if f.carrier_org_id:  # the first carrier or one taking over (Art. 17)
        out.append(
            or_(
                col(Manifest.carrier_org_id) == f.carrier_org_id,
                access.names_org(col(Manifest.handover_carrier_org_ids), f.carrier_org_id),
            )
        )
    if f.number:
        # Any part of the number (people remember its end: the serial), not only its start.
        out.append(col(Manifest.number).like("%" + f.number.replace("%", "").replace("_", "") + "%"))
    if f.q and f.q.strip():
        out.append(_search(f.q.strip()))
    if f.company and f.company.strip():
        out.append(_company(f.company.strip()))
    if f.org_id:
        out.append(
            or_(
                col(Manifest.generator_org_id) == f.org_id,
                col(Manifest.carrier_org_id) == f.org_id,
                col(Manifest.receiver_org_id) == f.org_id,
                access.names_org(col(Manifest.handover_carrier_org_ids), f.org_id),
            )
        )
    if cursor:
        at, mid = decode_cursor(cursor, aware, uuid.UUID)
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
    if f.tab is not None:
        filters.append(tabs.condition(actor, f.tab))
    order = (col(Manifest.created_at).desc(), col(Manifest.id).desc())
    branches = access.manifest_scope_branches(actor)
    if len(branches) == 1:
        stmt = select(Manifest).where(branches[0], *filters).order_by(*order).limit(limit + 1)
    else:
        parts = [
            select(Manifest.id, Manifest.created_at).where(b, *filters).order_by(*order).limit(limit + 1).subquery()
            for b in branches
        ]
        merged = union(*(select(p.c.id, p.c.created_at) for p in parts)).subquery()
        page = select(merged.c.id).order_by(merged.c.created_at.desc(), merged.c.id.desc()).limit(limit + 1)
        stmt = select(Manifest).where(col(Manifest.id).in_(page)).order_by(*order)
    rows = list((await session.execute(stmt)).scalars())
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def count_tabs(session: AsyncSession, actor: Principal, f: ManifestFilter) -> dict[str, int]:
    """How many manifests the reader has in each of its tabs, and in all, under the other filters
    (the tab itself aside): one statement, ``count(*) FILTER (WHERE ...)`` per tab, in the list's
    own scope."""
    shown = tabs.tabs_for(actor)
    stmt = (
        select(func.count().label("all"), *(func.count().filter(tabs.condition(actor, t)).label(t.value) for t in shown))
        .select_from(Manifest)
        .where(access.manifest_scope(actor), *_filters(replace(f, tab=None), None))
    )
    row = (await session.execute(stmt)).mappings().one()
    return {k: int(v) for k, v in row.items()}


async def describe(session: AsyncSession, m: Manifest) -> dict[str, Any]:
    """Everything a reader of one manifest needs: parties with names and places, lines, findings."""
    rows = (
        (
            await session.execute(
                text(
                    """SELECT o.id AS organisation_id, o.name AS organisation_name, o.uscc, s.id AS site_id, s.name AS site_name,
                  ST_X(s.location) AS lon, ST_Y(s.location) AS lat, s.county_adcode, j.name AS county_name,
                  j.name_en AS county_name_en,
                  s.city_adcode
           FROM site s JOIN organisation o ON o.id = s.organisation_id
           JOIN jurisdiction j ON j.adcode = s.county_adcode WHERE s.id = ANY(:ids)"""
                ),
                {"ids": [m.generator_site_id, m.receiver_site_id, m.pickup_site_id]},
            )
        )
        .mappings()
        .all()
    )
    sites = {r["site_id"]: dict(r) for r in rows}
    carrier = (
        await session.execute(text("SELECT id, name, uscc FROM organisation WHERE id = :c"), {"c": m.carrier_org_id})
    ).one()

    def party(side: str, site_id: uuid.UUID) -> dict[str, Any]:
        r = sites[site_id]
        point = {"type": "Point", "coordinates": (r["lon"], r["lat"])}
        return parties.overlay(m, side, {**{k: v for k, v in r.items() if k not in ("lon", "lat")}, "location": point})

    findings = list(
        (await session.execute(select(Finding).where(Finding.manifest_id == m.id).order_by(col(Finding.id)))).scalars()
    )
    data = {c: getattr(m, c) for c in type(m).model_fields}
    data["handovers"] = await _handovers(session, m)
    data.update(
        generator=party("generator", m.generator_site_id),
        receiver=party("receiver", m.receiver_site_id),
        # Where the load is taken from when not at the generator: the receiver that refused it.
        pickup={k: v for k, v in sites[m.pickup_site_id].items() if k not in ("lon", "lat")}
        if m.pickup_site_id and m.pickup_site_id != m.generator_site_id and m.pickup_site_id in sites
        else None,
        carrier=parties.overlay(
            m, "carrier", {"organisation_id": carrier[0], "organisation_name": carrier[1], "uscc": carrier[2]}
        ),
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


_HANDOVERS = text(
    """SELECT h.i + 1 AS position, o.id AS carrier_org_id, o.name AS organisation_name, o.uscc,
              s.id AS site_id, s.name AS site_name, s.kind AS site_kind
       FROM unnest(CAST(:orgs AS uuid[]), CAST(:sites AS uuid[])) WITH ORDINALITY AS h(org, site, i)
       JOIN organisation o ON o.id = h.org JOIN site s ON s.id = h.site ORDER BY h.i"""
)


async def _handovers(session: AsyncSession, m: Manifest) -> list[dict[str, Any]]:
    """The carriers after the first (Art. 17), in order, with where each takes over and whether it has."""
    if not m.handover_carrier_org_ids:
        return []
    rows = await session.execute(_HANDOVERS, {"orgs": m.handover_carrier_org_ids, "sites": m.handover_site_ids})
    return [dict(r) | {"taken_over": m.leg >= r.position} for r in rows.mappings()]


# A manifest's events with their points as numbers (the columns of ``manifest_event``, the location
# as lon/lat): for readers of the timeline and for re-verifying its chain.
EVENT_COLUMNS = """manifest_id, seq, type, actor_user_id, actor_org_id, server_time, device_time,
    ST_X(location) AS lon, ST_Y(location) AS lat, accuracy_m, vehicle_plate, payload, prev_hash, hash"""
_LOCATED_EVENTS = text(f"SELECT {EVENT_COLUMNS} FROM manifest_event WHERE manifest_id = :m ORDER BY seq")


@dataclass(frozen=True)
class LocatedEvent:
    manifest_id: uuid.UUID
    seq: int
    type: str
    actor_user_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None
    server_time: datetime
    device_time: datetime | None
    lon: float | None
    lat: float | None
    accuracy_m: Decimal | None
    vehicle_plate: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


async def located_events(session: AsyncSession, manifest_id: uuid.UUID) -> list[LocatedEvent]:
    """The manifest's events in order; the caller has checked that the reader may see it."""
    return [LocatedEvent(**r) for r in (await session.execute(_LOCATED_EVENTS, {"m": manifest_id})).mappings()]


async def manifests_by_id(session: AsyncSession, ids: list[uuid.UUID | None]) -> dict[uuid.UUID, Manifest]:
    """Manifests named by rows the reader already sees (e.g. the alerts of a queue), by id."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {m.id: m for m in (await session.execute(select(Manifest).where(col(Manifest.id).in_(wanted)))).scalars()}
