"""Reading the ledger: one container with its events, lists scoped by ``ledger.access``, the
storage view (what is in store and how long), and the chain check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Missing, NotFound
from waste_tracker.ledger import access
from waste_tracker.ledger.chain import Break, verify_events
from waste_tracker.ledger.events import state_of
from waste_tracker.ledger.lifecycle import PROJECTED, replay
from waste_tracker.models import LedgerEvent, Manifest, Site, WasteContainer

MAX_PAGE = 500


async def get_container(session: AsyncSession, actor: Principal, container_id: uuid.UUID) -> WasteContainer:
    c = await session.get(WasteContainer, container_id)
    if c is None or not access.can_read(actor, c.organisation_id, c.county_adcode):
        # another's container is not confirmed to exist
        raise Missing("container_not_registered", {"container_id": str(container_id)})
    return c


async def by_code(session: AsyncSession, actor: Principal, code: str) -> WasteContainer:
    c = (
        await session.execute(select(WasteContainer).where(WasteContainer.identification_code == code.strip().upper()))
    ).scalar_one_or_none()
    if c is None or not (access.can_read(actor, c.organisation_id, c.county_adcode) or await _carried_by(session, actor, c)):
        raise Missing("container_not_registered", {"identification_code": code.strip().upper()})
    return c


async def _carried_by(session: AsyncSession, actor: Principal, c: WasteContainer) -> bool:
    """A driver (or carrier office) sees a container on a manifest its organisation carries."""
    if c.manifest_id is None or actor.organisation_id is None:
        return False
    m = await session.get(Manifest, c.manifest_id)
    return m is not None and m.carrier_org_id == actor.organisation_id


async def events_of(session: AsyncSession, container_id: uuid.UUID) -> list[LedgerEvent]:
    stmt = select(LedgerEvent).where(LedgerEvent.container_id == container_id).order_by(col(LedgerEvent.seq))
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class ContainerFilter:
    site_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None
    status: str | None = None
    waste_code: str | None = None
    generated_from: date | None = None
    generated_to: date | None = None
    manifest_id: uuid.UUID | None = None


async def list_containers(
    session: AsyncSession, actor: Principal, f: ContainerFilter, limit: int = 100, offset: int = 0
) -> tuple[list[WasteContainer], int]:
    conds: list[Any] = [access.scope(actor, col(WasteContainer.organisation_id), col(WasteContainer.county_adcode))]
    for column, value in (
        (WasteContainer.site_id, f.site_id),
        (WasteContainer.organisation_id, f.organisation_id),
        (WasteContainer.status, f.status),
        (WasteContainer.waste_code, f.waste_code),
        (WasteContainer.manifest_id, f.manifest_id),
    ):
        if value is not None:
            conds.append(col(column) == value)
    if f.generated_from:
        conds.append(col(WasteContainer.generated_on) >= f.generated_from)
    if f.generated_to:
        conds.append(col(WasteContainer.generated_on) <= f.generated_to)
    total = (await session.execute(select(func.count()).select_from(WasteContainer).where(*conds))).scalar_one()
    stmt = (
        select(WasteContainer)
        .where(*conds)
        .order_by(col(WasteContainer.generated_on).desc(), col(WasteContainer.identification_code).desc())
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    )
    return list((await session.execute(stmt)).scalars()), int(total)


def storage_age_days(c: WasteContainer) -> int:
    """Days since the waste was generated: what the one-year limit counts (a late entry does not
    restart it)."""
    return (clock.today() - c.generated_on).days


async def verify_container(session: AsyncSession, c: WasteContainer) -> tuple[int, Break | None]:
    """The chain of one container, then its projection against the replayed events."""
    rows = [e.model_dump() for e in await events_of(session, c.id)]
    n, brk = verify_events(rows)
    if brk is not None:
        return n, brk
    if rows and rows[-1]["hash"] != c.last_hash:
        return n, Break(str(c.id), rows[-1]["seq"], "head_mismatch", rows[-1]["hash"], c.last_hash)
    replayed, stored = replay(rows), state_of(c)
    for name in PROJECTED:
        a, b = getattr(replayed, name), getattr(stored, name)
        if a != b:
            return n, Break(str(c.id), c.seq, "projection_mismatch", str(a), str(b), field=name)
    return n, None


async def readable_site(session: AsyncSession, actor: Principal, site_id: uuid.UUID) -> Site:
    site = await session.get(Site, site_id)
    if site is None or not access.can_read(actor, site.organisation_id, site.county_adcode):
        raise NotFound("site", site_id)
    return site


async def verify_ledger(session: AsyncSession, batch: int = 1000) -> tuple[int, int, list[Break]]:
    """Every container's chain and projection, in batches of containers (keyset by id): (containers,
    events, breaks). Run by ``waste-tracker verify --all`` beside the manifests."""
    containers = events = 0
    breaks: list[Break] = []
    after: uuid.UUID | None = None
    while True:
        stmt = select(WasteContainer).order_by(col(WasteContainer.id)).limit(batch)
        if after is not None:
            stmt = stmt.where(col(WasteContainer.id) > after)
        rows = list((await session.execute(stmt)).scalars())
        if not rows:
            return containers, events, breaks
        evs = (
            await session.execute(
                select(LedgerEvent)
                .where(col(LedgerEvent.container_id).in_([c.id for c in rows]))
                .order_by(col(LedgerEvent.container_id), col(LedgerEvent.seq))
            )
        ).scalars()
        grouped: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for e in evs:
            grouped.setdefault(e.container_id, []).append(e.model_dump())
        for c in rows:
            chain = grouped.get(c.id, [])
            n, brk = verify_events(chain)
            if brk is None and chain and chain[-1]["hash"] != c.last_hash:
                brk = Break(str(c.id), chain[-1]["seq"], "head_mismatch", chain[-1]["hash"], c.last_hash)
            if brk is None:
                replayed, stored = replay(chain), state_of(c)
                for name in PROJECTED:
                    if getattr(replayed, name) != getattr(stored, name):
                        brk = Break(
                            str(c.id),
                            c.seq,
                            "projection_mismatch",
                            str(getattr(replayed, name)),
                            str(getattr(stored, name)),
                            field=name,
                        )
                        break
            if brk is not None:
                breaks.append(brk)
            containers += 1
            events += n
        after = rows[-1].id
        session.expunge_all()
