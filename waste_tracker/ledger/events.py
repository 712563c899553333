"""Appending ledger events: lock the container, check the step, hash-link the event, fold it
into the projection — in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.ledger.chain import event_hash
from waste_tracker.ledger.lifecycle import ContainerState, ContainerStatus, LedgerEventType, check_step, evolve
from waste_tracker.models import LedgerEvent, WasteContainer


async def lock_containers(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[WasteContainer]:
    """The containers FOR UPDATE, in id order (so two requests never lock in opposite orders)."""
    stmt = (
        select(WasteContainer)
        .where(col(WasteContainer.id).in_(list(ids)))
        .order_by(col(WasteContainer.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


def state_of(c: WasteContainer) -> ContainerState:
    return ContainerState(
        status=ContainerStatus(c.status) if c.status else None,
        gross_kg=c.gross_kg,
        net_kg=c.net_kg,
        storage_facility=c.storage_facility,
        stored_at=c.stored_at,
        out_at=c.out_at,
        manifest_id=str(c.manifest_id) if c.manifest_id else None,
        manifest_line_no=c.manifest_line_no,
        handled_method_code=c.handled_method_code,
    )


def _apply(c: WasteContainer, s: ContainerState) -> None:
    for k, v in asdict(s).items():
        if k == "status":
            v = v.value if v is not None else None
        elif k == "manifest_id":
            v = uuid.UUID(v) if v else None
        setattr(c, k, v)


async def append(
    session: AsyncSession,
    c: WasteContainer,
    type_: LedgerEventType,
    actor: Principal | None,
    payload: dict[str, Any],
    *,
    now: datetime | None = None,
    first: bool = False,
) -> LedgerEvent:
    """Append one event to ``c`` (locked by the caller, or new when ``first``) and update it."""
    now = now or clock.now()
    state = ContainerState() if first else state_of(c)
    check_step(state.status, type_, c.identification_code)
    seq = 1 if first else c.seq + 1
    prev = "0" * 64 if first else c.last_hash
    actor_user_id = actor.user_id if actor else None
    actor_org_id = actor.organisation_id if actor else None
    doc = {
        "container_id": c.id,
        "seq": seq,
        "type": type_.value,
        "actor_user_id": actor_user_id,
        "actor_org_id": actor_org_id,
        "server_time": now,
        "payload": payload,
        "prev_hash": prev,
    }
    h = event_hash(doc)
    ev = LedgerEvent(
        container_id=c.id,
        seq=seq,
        type=type_.value,
        actor_user_id=actor_user_id,
        actor_org_id=actor_org_id,
        server_time=now,
        payload=payload,
        prev_hash=prev,
        hash=h,
    )
    _apply(c, evolve(state, type_, payload, now))
    c.seq, c.last_hash, c.updated_at = seq, h, now
    session.add(ev)
    return ev
