"""A container's life as a table: which event may follow which status, and what each does to
the projection (``waste_container``). Pure: no database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from waste_tracker.errors import Conflict


class LedgerEventType(StrEnum):
    GENERATED = "generated"  # 产生: the generation record, with the storage-in (入库) weight and facility
    REWEIGHED = "reweighed"  # a correction of the weight while in storage, with its reason
    PUT_ON_MANIFEST = "put_on_manifest"  # chosen for a manifest (still in storage)
    RELEASED = "released_from_manifest"  # the manifest was cancelled or the container taken off it
    STORED_OUT = "stored_out"  # 出库 at the pickup scan: on the truck
    HANDLED_ON_SITE = "handled_on_site"  # 出库 for the unit's own utilisation/disposal


class ContainerStatus(StrEnum):
    IN_STORAGE = "in_storage"
    ON_MANIFEST = "on_manifest"
    SHIPPED = "shipped"
    HANDLED_ON_SITE = "handled_on_site"


# event -> (statuses it may follow (None: the first event), status after)
STEPS: dict[LedgerEventType, tuple[frozenset[ContainerStatus | None], ContainerStatus | None]] = {
    LedgerEventType.GENERATED: (frozenset({None}), ContainerStatus.IN_STORAGE),
    LedgerEventType.REWEIGHED: (frozenset({ContainerStatus.IN_STORAGE, ContainerStatus.ON_MANIFEST}), None),
    LedgerEventType.PUT_ON_MANIFEST: (frozenset({ContainerStatus.IN_STORAGE}), ContainerStatus.ON_MANIFEST),
    LedgerEventType.RELEASED: (frozenset({ContainerStatus.ON_MANIFEST}), ContainerStatus.IN_STORAGE),
    LedgerEventType.STORED_OUT: (frozenset({ContainerStatus.ON_MANIFEST}), ContainerStatus.SHIPPED),
    LedgerEventType.HANDLED_ON_SITE: (frozenset({ContainerStatus.IN_STORAGE}), ContainerStatus.HANDLED_ON_SITE),
}


@dataclass(frozen=True)
class ContainerState:
    status: ContainerStatus | None = None
    gross_kg: Decimal | None = None
    net_kg: Decimal | None = None
    storage_facility: str | None = None
    stored_at: datetime | None = None
    out_at: datetime | None = None
    manifest_id: str | None = None
    manifest_line_no: int | None = None
    handled_method_code: str | None = None


def check_step(status: ContainerStatus | None, event: LedgerEventType, code: str = "") -> None:
    allowed, _ = STEPS[event]
    if status not in allowed:
        raise Conflict(
            "container_not_in_storage"
            if status in (ContainerStatus.SHIPPED, ContainerStatus.HANDLED_ON_SITE)
            else "invalid_container_step",
            {"identification_code": code, "status": status.value if status else None, "event": event.value},
        )


def evolve(s: ContainerState, event: LedgerEventType, payload: dict[str, Any], at: datetime) -> ContainerState:
    """The state after ``event`` (already checked by ``check_step``)."""
    after = STEPS[event][1]
    s = replace(s, status=after) if after is not None else s
    if event is LedgerEventType.GENERATED:
        return replace(
            s,
            gross_kg=Decimal(payload["gross_kg"]),
            net_kg=Decimal(payload["net_kg"]),
            storage_facility=payload["storage_facility"],
            stored_at=at,
        )
    if event is LedgerEventType.REWEIGHED:
        return replace(s, gross_kg=Decimal(payload["gross_kg"]), net_kg=Decimal(payload["net_kg"]))
    if event is LedgerEventType.PUT_ON_MANIFEST:
        return replace(s, manifest_id=payload["manifest_id"], manifest_line_no=int(payload["line_no"]))
    if event is LedgerEventType.RELEASED:
        return replace(s, manifest_id=None, manifest_line_no=None)
    if event is LedgerEventType.STORED_OUT:
        return replace(s, out_at=at)
    if event is LedgerEventType.HANDLED_ON_SITE:
        return replace(s, out_at=at, handled_method_code=payload["method_code"])
    raise AssertionError(event)


PROJECTED = tuple(ContainerState.__dataclass_fields__)


def replay(events: list[dict[str, Any]]) -> ContainerState:
    s = ContainerState()
    for e in events:
        s = evolve(s, LedgerEventType(e["type"]), e["payload"], e["server_time"])
    return s
