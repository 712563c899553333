"""Typed inputs of the manifest use cases. A command says what the caller asks for, with its
fields' types; whether it makes sense (the sites exist, the codes are in the catalogue, the
receiver is licensed) is the use case's to decide."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

# Field kinds of a draft: the parties (resolved to rows by the use case), its lines, and the rest,
# which are the manifest's own columns of the same name ("plan").
_PARTY = {"kind": "party"}
_LINES = {"kind": "lines"}
_HANDOVERS = {"kind": "handovers"}
MAX_HANDOVERS = 4  # Art. 17 practice: up to five carriers in all


@dataclass(frozen=True)
class Handover:
    """A later carrier and the registered site where it takes the load over."""

    carrier_org_id: uuid.UUID
    site_id: uuid.UUID

    @classmethod
    def of(cls, data: Any) -> Handover:
        if isinstance(data, Handover):
            return data
        return cls(carrier_org_id=uuid.UUID(str(data["carrier_org_id"])), site_id=uuid.UUID(str(data["site_id"])))

    def wire(self) -> dict[str, str]:
        return {"carrier_org_id": str(self.carrier_org_id), "site_id": str(self.site_id)}


@dataclass(frozen=True)
class DraftLine:
    waste_code: str
    physical_form: str
    quantity: Decimal
    container_type: str
    container_count: int
    unit: str = "kg"
    description: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> DraftLine:
        return cls(
            waste_code=data["waste_code"],
            physical_form=data["physical_form"],
            quantity=Decimal(str(data["quantity"])),
            container_type=data["container_type"],
            container_count=int(data["container_count"]),
            unit=data.get("unit", "kg"),
            description=data.get("description"),
        )


@dataclass(frozen=True)
class Draft:
    """A manifest as the generator drafts it (create, or the whole draft after an edit)."""

    generator_site_id: uuid.UUID = field(metadata=_PARTY)
    carrier_org_id: uuid.UUID = field(metadata=_PARTY)
    receiver_site_id: uuid.UUID = field(metadata=_PARTY)
    lines: tuple[DraftLine, ...] = field(metadata=_LINES)
    planned_method_code: str
    planned_pickup_date: date
    emergency_measures: str
    emergency_contact: str
    emergency_phone: str
    notes: str = ""
    handovers: tuple[Handover, ...] = field(default=(), metadata=_HANDOVERS)
    planned_vehicle_plate: str | None = None
    planned_driver_id: uuid.UUID | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Draft:
        """From a wire-shaped mapping (ids and dates as objects or strings, lines as mappings)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            v = data[f.name]
            if f.metadata.get("kind") == "party":
                v = v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))
            elif f.metadata.get("kind") == "lines":
                v = tuple(ln if isinstance(ln, DraftLine) else DraftLine.of(ln) for ln in v)
            elif f.metadata.get("kind") == "handovers":
                v = tuple(Handover.of(h) for h in v or ())
            elif f.name == "planned_pickup_date":
                v = v if isinstance(v, date) else date.fromisoformat(str(v))
            elif f.name == "notes":
                v = v or ""
            elif f.name == "planned_vehicle_plate":
                v = str(v).strip().upper() or None if v else None  # "" clears it
            elif f.name == "planned_driver_id":
                v = (v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))) if v else None
            values[f.name] = v
        return cls(**values)

    def updated(self, changes: Mapping[str, Any]) -> Draft:
        """This draft with the fields given in ``changes`` replaced (``None`` changes nothing)."""
        return Draft.of(
            {**{f.name: getattr(self, f.name) for f in fields(self)}, **{k: v for k, v in changes.items() if v is not None}}
        )

    def plan(self) -> dict[str, Any]:
        """The fields that are columns of the manifest, by name."""
        return {k: getattr(self, k) for k in PLAN_FIELDS}


PLAN_FIELDS = tuple(f.name for f in fields(Draft) if not f.metadata)
