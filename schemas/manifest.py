"""Manifest, event, scan and exemption wire models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.common import Amount, Day, PointGeoJSON

Unit = Literal["kg", "t"]
PhysicalForm = Literal["solid", "semi_solid", "liquid", "gas"]
Quantity = Amount
PHONE = r"^[0-9+() \-]{5,40}$"  # digits and the marks people write in phone numbers


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LineIn(Strict):
    waste_code: str = Field(min_length=4, max_length=16, examples=["900-214-08"])
    description: str | None = Field(default=None, max_length=500, description="Own description; defaults to the catalogue's")
    physical_form: PhysicalForm
    quantity: Quantity = Field(gt=0, le=1_000_000, max_digits=13, decimal_places=3)
    unit: Unit = "kg"
    container_type: str = Field(min_length=1, max_length=100, examples=["200 L 钢桶"])
    container_count: int = Field(ge=0, le=100_000)


class HandoverIn(Strict):
    carrier_org_id: uuid.UUID = Field(description="The carrier taking the load over")
    site_id: uuid.UUID = Field(description="The registered site where it takes over (a transit site, a yard)")


class HandoverPublic(BaseModel):
    position: int = Field(description="2 for the second carrier, … up to 5")
    carrier_org_id: uuid.UUID
    organisation_name: str
    uscc: str
    site_id: uuid.UUID
    site_name: str
    site_kind: str
    taken_over: bool


class ManifestCreate(Strict):
    generator_site_id: uuid.UUID
    carrier_org_id: uuid.UUID
    receiver_site_id: uuid.UUID
    lines: list[LineIn] = Field(min_length=1, max_length=50)
    planned_method_code: str = Field(min_length=2, max_length=8, examples=["D10"])
    planned_pickup_date: Day
    emergency_measures: str = Field(min_length=2, max_length=2000, description="应急措施")
    emergency_contact: str = Field(min_length=1, max_length=100)
    emergency_phone: str = Field(min_length=5, max_length=40, pattern=PHONE)
    notes: str = Field(default="", max_length=2000)
    handovers: list[HandoverIn] = Field(
        default_factory=list,
        max_length=4,
        description="Art. 17: the carriers after the first, in order (up to five carriers in all), each with its handover site",
    )
    planned_vehicle_plate: str | None = Field(default=None, max_length=16, description="The carrier's truck expected (optional)")
    planned_driver_id: uuid.UUID | None = Field(default=None, description="The carrier's driver expected (optional)")


class ManifestUpdate(Strict):
    generator_site_id: uuid.UUID | None = None
    carrier_org_id: uuid.UUID | None = None
    receiver_site_id: uuid.UUID | None = None
    lines: list[LineIn] | None = Field(default=None, min_length=1, max_length=50)
    planned_method_code: str | None = Field(default=None, min_length=2, max_length=8)
    planned_pickup_date: Day | None = None
    emergency_measures: str | None = Field(default=None, min_length=2, max_length=2000)
    emergency_contact: str | None = Field(default=None, min_length=1, max_length=100)
    emergency_phone: str | None = Field(default=None, min_length=5, max_length=40, pattern=PHONE)
    notes: str | None = Field(default=None, max_length=2000)
    handovers: list[HandoverIn] | None = Field(default=None, max_length=4, description="[] removes them")
    planned_vehicle_plate: str | None = Field(default=None, max_length=16, description='"" removes it')
    planned_driver_id: uuid.UUID | Literal[""] | None = Field(default=None, description='"" removes it')


class LinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    waste_code: str
    category_code: str
    kind: str
    description: str
    physical_form: str
    hazard_characteristics: list[str]
    declared_kg: Decimal
    container_type: str
    container_count: int
    received_kg: Decimal | None
    accepted_kg: Decimal | None


class PartyPublic(BaseModel):
    organisation_id: uuid.UUID
    organisation_name: str
    uscc: str
    site_id: uuid.UUID | None = None
    site_name: str | None = None
    location: PointGeoJSON | None = None
    county_adcode: int | None = None
    county_name: str | None = None
    county_name_en: str | None = None
    city_adcode: int | None = None


class FindingPublic(BaseModel):
    code: str
    severity: str
    event_seq: int | None
    details: dict[str, Any]
    created_at: datetime


class ManifestSummary(BaseModel):
    id: uuid.UUID
    number: str | None
    kind: str
    purpose: str
    status: str
    generator_org_id: uuid.UUID
    carrier_org_id: uuid.UUID
    receiver_org_id: uuid.UUID
    generator_county: int
    receiver_county: int
    declared_kg: Decimal
    planned_pickup_date: date
    distance_m: float | None
    created_at: datetime
    submitted_at: datetime | None
    updated_at: datetime | None


class ManifestPublic(ManifestSummary):
    catalogue_edition: str
    parent_manifest_id: uuid.UUID | None
    child_manifest_id: uuid.UUID | None
    generator: PartyPublic
    carrier: PartyPublic
    receiver: PartyPublic
    pickup_site_id: uuid.UUID
    planned_vehicle_plate: str | None = None
    planned_driver_id: uuid.UUID | None = None
    pickup: PartyPublic | None = Field(default=None, description="Where the load is taken from, when not the generator's site")
    planned_method_code: str
    emergency_measures: str
    emergency_contact: str
    emergency_phone: str
    notes: str
    lines: list[LinePublic]
    version: int
    decision: str | None
    remainder_open: bool
    picked_up_kg: Decimal | None
    received_kg: Decimal | None
    accepted_kg: Decimal | None
    disposed_kg: Decimal | None
    vehicle_plate: str | None
    licence_id: uuid.UUID | None
    permit_id: uuid.UUID | None
    exemption_id: uuid.UUID | None
    handovers: list[HandoverPublic] = Field(default_factory=list, description="The carriers after the first (Art. 17)")
    leg: int = Field(default=1, description="Which carrier holds the load: 1 the first, 2 the second, …")
    picked_up_at: datetime | None
    delivered_at: datetime | None
    received_at: datetime | None
    rejected_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    allowed_actions: list[str]
    findings: list[FindingPublic]
    label_url: str | None = None


class ManifestsPublic(BaseModel):
    items: list[ManifestSummary]
    next_cursor: str | None


class EventPublic(BaseModel):
    manifest_id: uuid.UUID
    seq: int
    type: str
    actor_user_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None
    server_time: datetime
    device_time: datetime | None
    location: PointGeoJSON | None
    accuracy_m: Decimal | None
    vehicle_plate: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyPublic(BaseModel):
    """``ok``: the chain holds, every payload is one the service could have written, and the
    stored manifest and lines are what the events replay to."""

    manifest_id: uuid.UUID
    ok: bool
    events: int
    first_break: dict[str, Any] | None
    breaks: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Every break: reason (sequence_gap, prev_hash_mismatch, hash_mismatch, invalid_payload, "
        "head_mismatch, projection_mismatch), seq, field (for projection_mismatch), expected (replayed), found (stored)",
    )


class CancelIn(Strict):
    reason: str = Field(min_length=2, max_length=1000)


class ReceiveLineIn(Strict):
    line_no: int = Field(ge=1, le=50)
    quantity: Quantity = Field(gt=0, le=1_000_000, max_digits=13, decimal_places=3, description="Weighed quantity")
    accepted_quantity: Quantity | None = Field(default=None, ge=0, le=1_000_000, max_digits=13, decimal_places=3)
    unit: Unit = "kg"


class ReceiveIn(Strict):
    decision: Literal["accepted", "partial", "rejected"]
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=50)
    reason: str | None = Field(default=None, max_length=2000)


class DisposeIn(Strict):
    method_code: str = Field(min_length=2, max_length=8)
    disposed_on: Day
    quantity: Quantity = Field(gt=0, le=1_000_000, max_digits=13, decimal_places=3)
    unit: Unit = "kg"


class ReturnIn(Strict):
    note: str = Field(default="", max_length=1000)


class RedirectIn(Strict):
    receiver_site_id: uuid.UUID
    planned_method_code: str = Field(min_length=2, max_length=8)
    carrier_org_id: uuid.UUID | None = None
    note: str = Field(default="", max_length=1000)


class ScanIn(Strict):
    token: str | None = Field(default=None, min_length=1, max_length=200, description="The label's QR token")
    number: str | None = Field(
        default=None, pattern=r"^\d{14}$", description="Without the QR: the manifest number printed on the label ..."
    )
    check_code: str | None = Field(default=None, max_length=12, description="... and the check code printed beside it")
    action: Literal["pickup", "handover", "dropoff"] = Field(
        description="handover: the next carrier's driver takes the load over at the listed site (Art. 17)"
    )
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    device_time: AwareDatetime | None = Field(default=None, description="The phone's clock, with its zone")
    vehicle_plate: str | None = Field(
        default=None, min_length=5, max_length=16, description="The scanning driver's truck (at a handover: the one taking over)"
    )
    from_vehicle_plate: str | None = Field(
        default=None, min_length=5, max_length=16, description="At a handover: the truck handing the load over"
    )
    quantity_kg: Quantity | None = Field(
        default=None,
        gt=0,
        le=1_000_000,
        max_digits=13,
        decimal_places=3,
        description="Weighed or checked (required at a handover)",
    )
    container_codes: list[str] | None = Field(
        default=None,
        max_length=500,
        description="At pickup of a manifest filled from containers: the identification codes scanned off their labels",
    )
    confirmed_container_count: int | None = Field(
        default=None, ge=0, le=100_000, description="Or: the manifest's QR was scanned and the driver counted the containers"
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> ScanIn:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat go together")
        if (self.token is None) == (self.number is None or self.check_code is None):
            raise ValueError("give the QR token, or the number and the check code")
        return self


class ScanPublic(BaseModel):
    manifest_id: uuid.UUID
    number: str
    status: str
    event: EventPublic
    findings: list[dict[str, Any]]


class ExemptionCreate(Strict):
    scope: Literal["cross_county", "cross_city"]
    generator_org_id: uuid.UUID
    generator_site_id: uuid.UUID | None = Field(
        default=None, description="The site the waste leaves (required when the organisation has more than one)"
    )
    receiver_site_id: uuid.UUID
    waste_codes: list[str] = Field(min_length=1, max_length=100)
    quantity_cap: Quantity = Field(gt=0, le=100_000_000, max_digits=15, decimal_places=3)
    unit: Unit = "t"
    valid_from: Day
    valid_to: Day
    reason: str = Field(min_length=2, max_length=2000)


class ExemptionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    scope: str
    generator_org_id: uuid.UUID
    generator_site_id: uuid.UUID | None
    receiver_site_id: uuid.UUID
    waste_codes: list[str]
    quantity_cap_kg: Decimal
    used_kg: Decimal
    valid_from: date
    valid_to: date
    reason: str
    granted_by: uuid.UUID
    granted_in: int
    created_at: datetime
    revoked_at: datetime | None


class ExemptionRequestCreate(Strict):
    generator_site_id: uuid.UUID = Field(description="The site the waste leaves")
    receiver_site_id: uuid.UUID
    waste_codes: list[str] = Field(min_length=1, max_length=100)
    quantity: Quantity = Field(gt=0, le=100_000_000, max_digits=15, decimal_places=3)
    unit: Unit = "t"
    valid_from: Day
    valid_to: Day
    reason: str = Field(min_length=2, max_length=2000, description="Why the waste cannot stay in its county or city")


class ExemptionRequestDecision(Strict):
    note: str = Field(default="", max_length=2000, description="Refusing: the reason (required)")
    quantity: Quantity | None = Field(default=None, gt=0, le=100_000_000, max_digits=15, decimal_places=3)
    unit: Unit = "t"


class ExemptionRequestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    scope: str
    generator_org_id: uuid.UUID
    generator_site_id: uuid.UUID
    receiver_site_id: uuid.UUID
    waste_codes: list[str]
    quantity_kg: Decimal
    valid_from: date
    valid_to: date
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    exemption_id: uuid.UUID | None
