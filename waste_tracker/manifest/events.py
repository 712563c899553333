"""Appending events: lock the manifest, decide, hash-link the event, fold it into the cached
projection — all in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.db import conflict_on_integrity_error
from waste_tracker.errors import Conflict, NotFound
from waste_tracker.manifest.chain import event_hash
from waste_tracker.manifest.lifecycle import PROJECTED_FIELDS, ManifestState, Status, evolve
from waste_tracker.models import Finding, Manifest, ManifestEvent
from waste_tracker.rules.events import evaluate


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
    values["carriers"] = 1 + len(m.handover_carrier_org_ids or ())
    values["number"] = m.number
    values["child_manifest_id"] = str(m.child_manifest_id) if m.child_manifest_id else None
    return ManifestState(**values)


def dec_str(v: Decimal | float | int | None, places: int = 3) -> str | None:
    if v is None:
        return None
    return f"{Decimal(str(v)):.{places}f}"


_PROJECTION_COLUMNS = (*PROJECTED_FIELDS, "number", "child_manifest_id", "last_hash")
_JSON_COLUMNS = frozenset({"parties"})  # bound as JSON text, cast in SQL
_APPEND_SQL = text(
    f"""WITH ev AS (
        INSERT INTO manifest_event (manifest_id, seq, type, actor_user_id, actor_org_id, server_time, device_time,
                                    location, accuracy_m, vehicle_plate, payload, prev_hash, hash)
        VALUES (:e_manifest_id, :e_seq, :e_type, :e_actor_user_id, :e_actor_org_id, :e_server_time, :e_device_time,
                ST_GeomFromEWKT(:e_location), :e_accuracy_m, :e_vehicle_plate, CAST(:e_payload AS jsonb), :e_prev_hash,
                :e_hash))
    UPDATE manifest SET {
        ", ".join(f"{c} = CAST(:{c} AS jsonb)" if c in _JSON_COLUMNS else f"{c} = :{c}" for c in _PROJECTION_COLUMNS)
    } WHERE id = :mid"""
)


def _json(v: Any) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False)


def _event_params(ev: ManifestEvent) -> dict[str, Any]:
    return {
        "e_manifest_id": ev.manifest_id,
        "e_seq": ev.seq,
        "e_type": ev.type,
        "e_actor_user_id": ev.actor_user_id,
        "e_actor_org_id": ev.actor_org_id,
        "e_server_time": ev.server_time,
        "e_device_time": ev.device_time,
        "e_location": ev.location,
        "e_accuracy_m": ev.accuracy_m,
        "e_vehicle_plate": ev.vehicle_plate,
        "e_payload": _json(ev.payload),
        "e_prev_hash": ev.prev_hash,
        "e_hash": ev.hash,
    }


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
    findings: Sequence[Mapping[str, Any]] = (),
    geofence_m: float | None = None,
) -> ManifestEvent:
    """Append one event to ``m`` (already locked), update its projection, store the event's
    ``findings`` (each a ``code``, a ``severity`` and details) and run the event rules on them, all
    in the caller's transaction. ``geofence_m``: the radius the rules judge drop-offs by (default
    the setting)."""
    now = now or clock.now()
    type_ = str(type_)  # an EventType is stored and hashed as its plain text
    if lon is not None and lat is not None:
        lon, lat = round(lon, 7), round(lat, 7)
        location: tuple[float, float] | None = (lon, lat)
    else:
        location = None
    acc = Decimal(f"{accuracy_m:.2f}") if accuracy_m is not None else None
    doc: dict[str, Any] = {
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
    ewkt = f"SRID=4326;POINT({lon!r} {lat!r})" if location else None
    ev = ManifestEvent(
        manifest_id=m.id,
        seq=doc["seq"],
        type=type_,
        actor_user_id=doc["actor_user_id"],
        actor_org_id=doc["actor_org_id"],
        server_time=now,
        device_time=device_time,
        location=ewkt,
        accuracy_m=acc,
        vehicle_plate=vehicle_plate,
        payload=payload,
        prev_hash=m.last_hash,
        hash=h,
    )
    state = evolve(
        state_of(m) if m.version else ManifestState(),
        {"type": type_, "seq": doc["seq"], "server_time": now, "payload": payload, "vehicle_plate": vehicle_plate},
    )
    projection = {k: getattr(state, k) for k in PROJECTED_FIELDS}
    projection |= {
        "status": str(state.status),
        "number": state.number,
        "child_manifest_id": uuid.UUID(state.child_manifest_id) if state.child_manifest_id else None,
        "last_hash": h,
    }
    if session.new or session.dirty or session.deleted:
        await session.flush()  # the caller's own changes go first, as they would in one ORM flush
    # The event and the projection in one statement (one round trip, instead of an ORM flush of an
    # INSERT and an UPDATE). The event object is returned as built, not added to the session; the
    # manifest's attributes are set as already committed (no second UPDATE). (manifest_id, seq) is
    # the primary key: a violation means a concurrent writer got there first.
    with conflict_on_integrity_error(Conflict("concurrent_update", {"manifest_id": str(m.id)})):
        params = {
            k: (json.dumps(v, ensure_ascii=False) if k in _JSON_COLUMNS and v is not None else v) for k, v in projection.items()
        }
        await session.execute(_APPEND_SQL, {**_event_params(ev), **params, "mid": m.id})
    for k, v in projection.items():
        set_committed_value(m, k, v)
    for f in findings:
        session.add(
            Finding(
                manifest_id=m.id,
                event_seq=ev.seq,
                code=f["code"],
                severity=f["severity"],
                details={k: v for k, v in f.items() if k not in ("code", "severity")},
            )
        )
    if findings:
        await session.flush()
    # The findings are stored now: run the event rules (geofence alerts read them).
    await evaluate(session, m, ev, geofence_m)
    return ev
