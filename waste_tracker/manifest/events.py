"""Appending events: lock the manifest, decide, hash-link the event, fold it into the cached
projection — all in the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, NotFound
from waste_tracker.manifest.chain import event_hash
from waste_tracker.manifest.lifecycle import PROJECTED_FIELDS, ManifestState, Status, evolve
from waste_tracker.models import Manifest, ManifestEvent


async def lock_manifest(session: AsyncSession, manifest_id: uuid.UUID) -> Manifest:
    """Load the manifest row FOR UPDATE: concurrent transitions queue here, and the one that
    waits re-reads the new state (and is then refused with ``invalid_transition``)."""
    m = (
        await session.execute(
            select(Manifest).where(Manifest.id == manifest_id).with_for_update().execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if m is None:
        raise NotFound("manifest", manifest_id)
    return m


def state_of(m: Manifest) -> ManifestState:
    names = {f.name for f in fields(ManifestState)}
    values: dict[str, Any] = {k: getattr(m, k) for k in PROJECTED_FIELDS if k in names}
    values["status"] = Status(m.status) if m.status else None
    values["purpose"] = m.purpose
    values["number"] = m.number
    values["child_manifest_id"] = str(m.child_manifest_id) if m.child_manifest_id else None
    return ManifestState(**values)


def apply_state(m: Manifest, s: ManifestState) -> None:
    for k in PROJECTED_FIELDS:
        setattr(m, k, getattr(s, k))
    m.status = str(s.status)
    m.number = s.number
    m.child_manifest_id = uuid.UUID(s.child_manifest_id) if s.child_manifest_id else None


def dec_str(v: Decimal | float | int | None, places: int = 3) -> str | None:
    if v is None:
        return None
    return f"{Decimal(str(v)):.{places}f}"


async def append(
    session: AsyncSession,
    m: Manifest,
    type_: str,
    actor: Principal | None,
    payload: dict[str, Any],
    *,
    device_time: datetime | None = None,
    lon: float | None = None,
    lat: float | None = None,
    accuracy_m: float | None = None,
    vehicle_plate: str | None = None,
    now: datetime | None = None,
    evaluate_rules: bool = True,
) -> ManifestEvent:
    """Append one event to ``m`` (already locked), update its projection and run the event
    rules, all in the caller's transaction."""
    now = now or datetime.now(UTC)
    if lon is not None and lat is not None:
        lon, lat = round(lon, 7), round(lat, 7)
        location: tuple[float, float] | None = (lon, lat)
    else:
        location = None
    acc = Decimal(f"{accuracy_m:.2f}") if accuracy_m is not None else None
    doc = {
        "manifest_id": m.id,
        "seq": m.version + 1,
        "type": type_,
        "actor_user_id": actor.user_id if actor else None,
        "actor_org_id": actor.organisation_id if actor else None,
        "server_time": now,
        "device_time": device_time,
        "location": location,
        "accuracy_m": acc,
        "vehicle_plate": vehicle_plate,
        "payload": payload,
        "prev_hash": m.last_hash,
    }
    h = event_hash(doc)
    ev = ManifestEvent(
        manifest_id=m.id,
        seq=doc["seq"],
        type=type_,
        actor_user_id=doc["actor_user_id"],
        actor_org_id=doc["actor_org_id"],
        server_time=now,
        device_time=device_time,
        location=f"SRID=4326;POINT({lon!r} {lat!r})" if location else None,
        accuracy_m=acc,
        vehicle_plate=vehicle_plate,
        payload=payload,
        prev_hash=m.last_hash,
        hash=h,
    )
    session.add(ev)
    state = evolve(
        state_of(m) if m.version else ManifestState(),
        {"type": type_, "seq": doc["seq"], "server_time": now, "payload": payload, "vehicle_plate": vehicle_plate},
    )
    apply_state(m, state)
    m.last_hash = h
    try:
        await session.flush()
    except IntegrityError as e:
        # (manifest_id, seq) is the primary key: a concurrent writer got there first.
        raise Conflict("concurrent_update", {"manifest_id": str(m.id)}) from e
    if evaluate_rules:
        from waste_tracker.rules.events import evaluate

        await evaluate(session, m, ev)
    return ev
