"""Use cases of the container ledger: register containers as waste is produced, correct a
weight, hand a container to the unit's own facility, and the manifest's side (containers put on
a draft, released when it is cancelled, stored out at the pickup scan)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, Missing
from waste_tracker.ledger import access, codes
from waste_tracker.ledger.events import append, lock_containers
from waste_tracker.ledger.lifecycle import ContainerStatus, LedgerEventType
from waste_tracker.models import Organisation, WasteContainer
from waste_tracker.registry import catalogue, editions

GRAM = Decimal("0.001")
MAX_CONTAINER_KG = Decimal("30000")  # a 30 m³ roll-off bin of sludge; no single container weighs more
MAX_BATCH_KG = Decimal("1000000")  # a batch of bulk general waste: as a manifest line's limit
MAX_PER_REQUEST = 200
BACK_ENTRY_DAYS = 400  # a generation record may be entered late (paper ledger catch-up), not years late


@dataclass(frozen=True)
class Generation:
    """One generation record: ``count`` identical containers (each gets its own code and label)."""

    waste_code: str
    physical_form: str
    container_type: str
    gross_kg: Decimal
    net_kg: Decimal
    storage_facility: str
    generated_on: date
    count: int = 1
    volume_l: Decimal | None = None
    is_batch: bool = False
    waste_name: str | None = None
    main_components: str = ""
    hazard_characteristics: tuple[str, ...] | None = None


def _kg(v: Decimal) -> str:
    return f"{v.quantize(GRAM)}"


def check_weights(gross: Decimal, net: Decimal, batch: bool, field: str = "net_kg") -> None:
    limit = MAX_BATCH_KG if batch else MAX_CONTAINER_KG
    if not (net.is_finite() and gross.is_finite()) or net <= 0 or net > limit or gross < net or gross > limit * 2:
        raise Invalid(
            "weight_out_of_range",
            {"field": field, "gross_kg": str(gross), "net_kg": str(net), "min_kg": "0.001", "max_kg": str(limit)},
        )


async def _next_sequence(session: AsyncSession, org_id: uuid.UUID, waste_code: str, day: date, n: int) -> int:
    """Reserve ``n`` sequence numbers for (unit, code, day); returns the first. Row-locked upsert,
    so concurrent registrations never share a number."""
    last = (
        await session.execute(
            text("""INSERT INTO container_serial (organisation_id, waste_code, day, last_serial) VALUES (:o, :c, :d, :n)
                    ON CONFLICT (organisation_id, waste_code, day)
                    DO UPDATE SET last_serial = container_serial.last_serial + :n
                    RETURNING last_serial"""),
            {"o": org_id, "c": waste_code, "d": day, "n": n},
        )
    ).scalar_one()
    return int(last) - n + 1


async def register(
    session: AsyncSession,
    actor: Principal,
    site_id: uuid.UUID,
    records: Sequence[Generation],
    *,
    now: datetime | None = None,
) -> list[WasteContainer]:
    """Register the containers of one or more generation records at a site of the actor's own."""
    now = now or clock.now()
    site = await access.own_site(session, actor, site_id)
    total = sum(r.count for r in records)
    if not records or total > MAX_PER_REQUEST or any(r.count < 1 for r in records):
        raise Invalid("validation_error", {"field": "count", "min": 1, "max_total": MAX_PER_REQUEST})
    org = await session.get(Organisation, site.organisation_id)
    assert org is not None
    today = clock.local_date(now)
    edition = await editions.in_force(session, today)
    known = await catalogue.resolve_codes(session, [r.waste_code for r in records], edition)
    out: list[WasteContainer] = []
    for i, r in enumerate(records):
        entry = known[r.waste_code]
        if r.generated_on > today:
            raise Invalid("generated_in_future", {"index": i, "generated_on": str(r.generated_on), "today": str(today)})
        if (today - r.generated_on).days > BACK_ENTRY_DAYS:
            raise Invalid(
                "generated_too_long_ago", {"index": i, "generated_on": str(r.generated_on), "max_days": BACK_ENTRY_DAYS}
            )
        gross, net = r.gross_kg.quantize(GRAM), r.net_kg.quantize(GRAM)
        check_weights(gross, net, r.is_batch)
        if r.is_batch and entry["kind"] == "hazardous":
            raise Invalid("batch_not_allowed", {"index": i, "reason": "hazardous waste is recorded per container"})
        if r.volume_l is not None and not (0 < r.volume_l <= 100_000):
            raise Invalid("validation_error", {"field": "volume_l", "index": i, "min": 0, "max": 100000})
        hazards = (
            list(r.hazard_characteristics)
            if r.hazard_characteristics is not None
            else list(entry["hazard_characteristics"] or [])
        )
        first = await _next_sequence(session, org.id, r.waste_code, r.generated_on, r.count)
        for k in range(r.count):
            ident = codes.build(org.uscc, r.waste_code, r.generated_on, first + k)
            c = WasteContainer(
                identification_code=str(ident),
                site_id=site.id,
                organisation_id=org.id,
                county_adcode=site.county_adcode,
                kind=entry["kind"],
                catalogue_edition=edition,
                waste_code=r.waste_code,
                category_code=entry["category_code"],
                waste_name=r.waste_name or entry["category_name"],
                main_components=r.main_components,
                physical_form=r.physical_form,
                hazard_characteristics=hazards,
                container_type=r.container_type,
                volume_l=r.volume_l,
                is_batch=r.is_batch,
                gross_kg=gross,
                net_kg=net,
                generated_on=r.generated_on,
                storage_facility=r.storage_facility,
                status=ContainerStatus.IN_STORAGE.value,
                stored_at=now,
                seq=0,
                last_hash="0" * 64,
                created_by=actor.user_id,
            )
            session.add(c)
            out.append(c)
    await session.flush()
    for c in out:
        payload: dict[str, Any] = {
            "identification_code": c.identification_code,
            "site_id": str(c.site_id),
            "catalogue_edition": c.catalogue_edition,
            "waste_code": c.waste_code,
            "kind": c.kind,
            "waste_name": c.waste_name,
            "main_components": c.main_components,
            "physical_form": c.physical_form,
            "hazard_characteristics": list(c.hazard_characteristics),
            "container_type": c.container_type,
            "volume_l": str(c.volume_l) if c.volume_l is not None else None,
            "is_batch": c.is_batch,
            "gross_kg": _kg(c.gross_kg),
            "net_kg": _kg(c.net_kg),
            "generated_on": str(c.generated_on),
            "storage_facility": c.storage_facility,
        }
        await append(session, c, LedgerEventType.GENERATED, actor, payload, now=now, first=True)
    await session.flush()
    return out


async def _own_containers(
    session: AsyncSession, actor: Principal, ids: Sequence[uuid.UUID], site_id: uuid.UUID | None = None
) -> list[WasteContainer]:
    """Lock containers the actor's organisation holds (all of one site when ``site_id``)."""
    wanted = list(dict.fromkeys(ids))
    found = await lock_containers(session, wanted)
    by_id = {c.id: c for c in found}
    missing = [str(i) for i in wanted if i not in by_id]
    if missing:
        raise Missing("container_not_registered", {"container_ids": missing})
    for c in found:
        if actor.role != "enterprise" or not actor.owns(c.organisation_id):
            raise Forbidden("container_not_yours", {"container_id": str(c.id)})
        if site_id is not None and c.site_id != site_id:
            raise Invalid("container_of_another_site", {"container_id": str(c.id), "site_id": str(site_id)})
    return [by_id[i] for i in wanted]


async def reweigh(
    session: AsyncSession, actor: Principal, container_id: uuid.UUID, gross_kg: Decimal, net_kg: Decimal, reason: str
) -> WasteContainer:
    (c,) = await _own_containers(session, actor, [container_id])
    gross, net = gross_kg.quantize(GRAM), net_kg.quantize(GRAM)
    check_weights(gross, net, c.is_batch)
    if c.manifest_id is not None:
        raise Conflict("container_on_manifest", {"identification_code": c.identification_code, "manifest_id": str(c.manifest_id)})
    payload = {"gross_kg": _kg(gross), "net_kg": _kg(net), "previous_net_kg": _kg(c.net_kg), "reason": reason}
    await append(session, c, LedgerEventType.REWEIGHED, actor, payload)
    await session.flush()
    return c


async def handle_on_site(
    session: AsyncSession, actor: Principal, ids: Sequence[uuid.UUID], method_code: str, facility: str, note: str = ""
) -> list[WasteContainer]:
    """Out of storage into the unit's own utilisation/disposal facility (自行利用处置)."""
    await catalogue.check_method_codes(session, [method_code])
    found = await _own_containers(session, actor, ids)
    now = clock.now()
    for c in found:
        payload = {"method_code": method_code, "facility": facility, "net_kg": _kg(c.net_kg), "note": note}
        await append(session, c, LedgerEventType.HANDLED_ON_SITE, actor, payload, now=now)
    await session.flush()
    return found


# --- the manifest's side ------------------------------------------------------------------------------


async def for_manifest(session: AsyncSession, manifest_id: uuid.UUID, lock: bool = False) -> list[WasteContainer]:
    stmt = (
        select(WasteContainer).where(WasteContainer.manifest_id == manifest_id).order_by(col(WasteContainer.identification_code))
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def choose_for_manifest(
    session: AsyncSession, actor: Principal, site_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[WasteContainer]:
    """The containers a manifest will be filled from: the actor's, at ``site_id``, in storage."""
    if not ids or len(ids) > MAX_PER_REQUEST:
        raise Invalid("validation_error", {"field": "container_ids", "min": 1, "max": MAX_PER_REQUEST})
    found = await _own_containers(session, actor, ids, site_id)
    for c in found:
        if c.status != ContainerStatus.IN_STORAGE:
            raise Conflict(
                "container_not_in_storage",
                {"identification_code": c.identification_code, "status": c.status, "manifest_id": str(c.manifest_id or "")},
            )
    return found


def lines_from(containers: Sequence[WasteContainer]) -> list[tuple[tuple[str, str], list[WasteContainer]]]:
    """Group containers into manifest lines: one line per waste code and physical form."""
    groups: dict[tuple[str, str], list[WasteContainer]] = {}
    for c in containers:
        groups.setdefault((c.waste_code, c.physical_form), []).append(c)
    return list(groups.items())


async def put_on_manifest(
    session: AsyncSession,
    actor: Principal,
    grouped: Sequence[tuple[int, Sequence[WasteContainer]]],
    manifest_id: uuid.UUID,
    number: str | None,
) -> None:
    now = clock.now()
    for line_no, cs in grouped:
        for c in cs:
            await append(
                session,
                c,
                LedgerEventType.PUT_ON_MANIFEST,
                actor,
                {"manifest_id": str(manifest_id), "line_no": line_no, "number": number},
                now=now,
            )
    await session.flush()


async def release_manifest(session: AsyncSession, actor: Principal | None, manifest_id: uuid.UUID, reason: str) -> int:
    """A cancelled or deleted manifest gives its containers back to storage."""
    cs = [c for c in await for_manifest(session, manifest_id, lock=True) if c.status == ContainerStatus.ON_MANIFEST]
    for c in cs:
        await append(session, c, LedgerEventType.RELEASED, actor, {"manifest_id": str(manifest_id), "reason": reason})
    await session.flush()
    return len(cs)


@dataclass(frozen=True)
class PickupCheck:
    """What the driver scanned against what the manifest carries."""

    expected: list[str]
    scanned: list[str]
    not_on_manifest: list[str]
    not_in_storage: list[str]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not (self.not_on_manifest or self.not_in_storage or self.missing)

    def as_details(self) -> dict[str, Any]:
        return {
            "expected": len(self.expected),
            "scanned": len(self.scanned),
            "not_on_manifest": self.not_on_manifest,
            "not_in_storage": self.not_in_storage,
            "missing": self.missing,
        }


async def check_pickup(
    session: AsyncSession,
    manifest_id: uuid.UUID,
    scanned_codes: Sequence[str] | None,
    confirmed_count: int | None,
) -> tuple[list[WasteContainer], dict[str, Any] | None]:
    """At the pickup scan of a manifest filled from containers: every scanned container must be on
    it and in storage, and none may be missing — or the driver scanned the manifest and confirms
    the count. Returns the locked containers and the check's record (None: no containers)."""
    cs = await for_manifest(session, manifest_id, lock=True)
    if not cs:
        return [], None
    expected = [c.identification_code for c in cs]
    if scanned_codes is None:
        if confirmed_count is None:
            raise Invalid("container_check_required", {"expected": len(expected)})
        if confirmed_count != len(expected):
            raise Invalid("container_count_mismatch", {"expected": len(expected), "confirmed": confirmed_count})
        return cs, {"method": "count", "expected": len(expected), "confirmed": confirmed_count}
    scanned = list(dict.fromkeys(code.strip().upper() for code in scanned_codes))
    on = set(expected)
    stray = [s for s in scanned if s not in on]
    not_in_storage: list[str] = []
    if stray:
        rows = (
            await session.execute(
                select(WasteContainer.identification_code, WasteContainer.status).where(
                    col(WasteContainer.identification_code).in_(stray)
                )
            )
        ).all()
        not_in_storage = sorted(r[0] for r in rows if r[1] in (ContainerStatus.SHIPPED, ContainerStatus.HANDLED_ON_SITE))
    check = PickupCheck(
        expected=expected,
        scanned=scanned,
        not_on_manifest=sorted(set(stray) - set(not_in_storage)),
        not_in_storage=not_in_storage
        + sorted(
            c.identification_code for c in cs if c.status != ContainerStatus.ON_MANIFEST and c.identification_code in scanned
        ),
        missing=sorted(on - set(scanned)),
    )
    if not check.complete:
        raise Invalid("container_check_failed", check.as_details())
    return cs, {"method": "scan", "expected": len(expected), "scanned": len(scanned)}


async def store_out(
    session: AsyncSession, actor: Principal, containers: Sequence[WasteContainer], manifest_id: uuid.UUID, now: datetime
) -> None:
    for c in containers:
        await append(
            session, c, LedgerEventType.STORED_OUT, actor, {"manifest_id": str(manifest_id), "net_kg": _kg(c.net_kg)}, now=now
        )
    await session.flush()
