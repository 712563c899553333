"""A load's legs (危险废物转移管理办法 Art. 17): which carrier held it, from which scan to which.

With one carrier there is one leg, from the pickup to the drop-off (the manifest row knows both
times). With more, each handover scan ends one leg and starts the next: the legs are read from the
manifest's events, so a late point is judged against the leg its carrier actually drove.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.models import Manifest


@dataclass(frozen=True)
class Leg:
    position: int
    carrier_org_id: uuid.UUID
    start: datetime | None  # the pickup or the handover to this carrier (None: not yet)
    end: datetime | None  # the handover from it or the drop-off (None: still driving)
    vehicle_plate: str | None = None
    quantity_kg: str | None = None  # weighed at the pickup or checked at the handover

    def holds(self, carrier_org_id: uuid.UUID, at: datetime) -> bool:
        """Whether a point this carrier recorded at ``at`` belongs to this leg."""
        return (
            carrier_org_id == self.carrier_org_id
            and self.start is not None
            and at >= self.start
            and (self.end is None or at <= self.end)
        )

    def wire(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "carrier_org_id": str(self.carrier_org_id),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "vehicle_plate": self.vehicle_plate,
            "quantity_kg": self.quantity_kg,
        }


_SCANS = text(
    """SELECT type, server_time, vehicle_plate, payload->>'quantity_kg' AS kg FROM manifest_event
       WHERE manifest_id = :m AND type IN ('picked_up', 'handed_over', 'dropped_off', 'returned') ORDER BY seq"""
)


async def legs_of(session: AsyncSession, m: Manifest) -> list[Leg]:
    """Every carrier's leg, in order (those not yet reached with no start)."""
    carriers = m.carrier_org_ids
    if len(carriers) == 1:
        return [Leg(1, m.carrier_org_id, m.picked_up_at, m.delivered_at, m.vehicle_plate, _kg(m.picked_up_kg))]
    starts: list[tuple[datetime, str | None, str | None]] = []
    end: datetime | None = None
    for r in (await session.execute(_SCANS, {"m": m.id})).mappings():
        if r["type"] in ("picked_up", "handed_over"):
            starts.append((r["server_time"], r["vehicle_plate"], r["kg"]))
        else:
            end = r["server_time"]
    out = []
    for i, c in enumerate(carriers):
        if i < len(starts):
            start, plate, kg = starts[i]
            leg_end = starts[i + 1][0] if i + 1 < len(starts) else end
            out.append(Leg(i + 1, c, start, leg_end, plate, kg))
        else:
            out.append(Leg(i + 1, c, None, None))
    return out


def _kg(v: Any) -> str | None:
    return None if v is None else f"{v:.3f}"
