"""Wire models of the cradle: containers and their labels, management plans, declarations and
receivers' monthly balances."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Amount, Day
from schemas.manifest import PhysicalForm, Strict

Kind = Literal["hazardous", "general"]
Hazard = Literal["T", "C", "I", "R", "In"]
Kg = Amount


# --- containers --------------------------------------------------------------------------------------


class GenerationIn(Strict):
    waste_code: str = Field(min_length=4, max_length=16, examples=["900-249-08"])
    waste_name: str | None = Field(default=None, max_length=200, description="Defaults to the catalogue's description")
    main_components: str = Field(default="", max_length=500, examples=["矿物油、水"])
    physical_form: PhysicalForm
    hazard_characteristics: list[Hazard] | None = Field(default=None, max_length=5, description="Defaults to the catalogue's")
    container_type: str = Field(min_length=1, max_length=100, examples=["200 L 钢桶"])
    volume_l: Kg | None = Field(default=None, gt=0, le=100_000, description="Sets the label size (HJ 1276)")
    is_batch: bool = Field(default=False, description="A batch of bulk general waste rather than one container")
    gross_kg: Kg = Field(gt=0, le=2_000_000, max_digits=13, decimal_places=3)
    net_kg: Kg = Field(gt=0, le=1_000_000, max_digits=13, decimal_places=3)
    generated_on: Day
    storage_facility: str = Field(min_length=1, max_length=200, examples=["1号危废暂存间"])
    count: int = Field(default=1, ge=1, le=200, description="How many identical containers")


class RegisterIn(Strict):
    site_id: uuid.UUID
    records: list[GenerationIn] = Field(min_length=1, max_length=50)


class ReweighIn(Strict):
    gross_kg: Kg = Field(gt=0, le=2_000_000, max_digits=13, decimal_places=3)
    net_kg: Kg = Field(gt=0, le=1_000_000, max_digits=13, decimal_places=3)
    reason: str = Field(min_length=2, max_length=500)


class HandleOnSiteIn(Strict):
    container_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    method_code: str = Field(min_length=2, max_length=8, examples=["R9"])
    facility: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=500)


class ContainerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    identification_code: str
    site_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: str
    catalogue_edition: str
    waste_code: str
    category_code: str
    waste_name: str
    main_components: str
    physical_form: str
    hazard_characteristics: list[str]
    container_type: str
    volume_l: Decimal | None
    is_batch: bool
    gross_kg: Decimal
    net_kg: Decimal
    generated_on: date
    storage_facility: str
    status: str
    stored_at: datetime
    out_at: datetime | None
    manifest_id: uuid.UUID | None
    manifest_line_no: int | None
    handled_method_code: str | None
    storage_days: int = 0
    label_svg_url: str = ""
    label_png_url: str = ""


class LedgerEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    type: str
    actor_user_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None
    server_time: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class ContainerDetail(ContainerPublic):
    events: list[LedgerEventPublic]
    identification_segments: list[str]


class ContainersPublic(BaseModel):
    items: list[ContainerPublic]
    total: int


class ChainCheck(BaseModel):
    ok: bool
    events: int
    break_: dict[str, Any] | None = Field(default=None, alias="break", serialization_alias="break")


class ManifestFromContainers(Strict):
    generator_site_id: uuid.UUID
    container_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    carrier_org_id: uuid.UUID
    receiver_site_id: uuid.UUID
    planned_method_code: str = Field(min_length=2, max_length=8, examples=["D10"])
    planned_pickup_date: Day
    emergency_measures: str = Field(min_length=2, max_length=2000)
    emergency_contact: str = Field(min_length=1, max_length=100)
    emergency_phone: str = Field(min_length=5, max_length=40)
    notes: str = Field(default="", max_length=2000)


# --- management plans --------------------------------------------------------------------------------


class PlanWaste(Strict):
    waste_code: str = Field(min_length=4, max_length=16)
    name: str = Field(default="", max_length=200)
    main_components: str = Field(default="", max_length=500)
    physical_form: PhysicalForm
    hazard_characteristics: list[Hazard] = Field(default_factory=list, max_length=5)
    source: str = Field(default="", max_length=200, description="Which process produces it")
    expected_t: Amount = Field(gt=0, le=10_000_000, max_digits=14, decimal_places=3)


class PlanStorage(Strict):
    name: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=100, examples=["贮存库"])
    capacity_t: Amount = Field(gt=0, le=10_000_000, max_digits=14, decimal_places=3)


class PlanTransfer(Strict):
    receiver_site_id: uuid.UUID
    licence_number: str = Field(default="", max_length=64)
    method_code: str = Field(min_length=2, max_length=8)
    waste_codes: list[str] = Field(min_length=1, max_length=100)
    expected_t: Amount = Field(gt=0, le=10_000_000, max_digits=14, decimal_places=3)


class PlanOwnHandling(Strict):
    waste_code: str = Field(min_length=4, max_length=16)
    method_code: str = Field(min_length=2, max_length=8)
    facility: str = Field(min_length=1, max_length=200)
    expected_t: Amount = Field(gt=0, le=10_000_000, max_digits=14, decimal_places=3)


class PlanUnit(Strict):
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=40)
    products: str = Field(default="", max_length=1000, description="Main products and output")


class PlanBody(Strict):
    unit: PlanUnit = Field(default_factory=PlanUnit)
    wastes: list[PlanWaste] = Field(min_length=1, max_length=200)
    storage_facilities: list[PlanStorage] = Field(default_factory=list, max_length=50)
    transfers: list[PlanTransfer] = Field(default_factory=list, max_length=200)
    own_handling: list[PlanOwnHandling] = Field(default_factory=list, max_length=50)
    reduction_measures: str = Field(default="", max_length=4000)

    def as_body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class PlanCreate(Strict):
    site_id: uuid.UUID
    year: int = Field(ge=2000, le=2999)
    kind: Kind = "hazardous"
    body: PlanBody


class PlanRevise(Strict):
    body: PlanBody
    reason: str = Field(default="", max_length=2000)


class PlanDecision(Strict):
    note: str = Field(default="", max_length=2000)


class PlanReturn(Strict):
    reason: str = Field(min_length=2, max_length=2000)


class PlanEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    type: str
    version: int
    reason: str
    actor_user_id: uuid.UUID
    at: datetime
    body: dict[str, Any] | None


class PlanPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    site_id: uuid.UUID
    organisation_id: uuid.UUID
    county_adcode: int
    year: int
    kind: str
    catalogue_edition: str
    management_class: str | None
    class_basis: dict[str, Any]
    status: str
    version: int
    accepted_version: int | None
    filing_number: str | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    filing_deadline: date | None = None
    body: dict[str, Any]
    accepted_body: dict[str, Any] | None


class PlanDetail(PlanPublic):
    progress: list[dict[str, Any]]
    history: list[PlanEventPublic]


# --- declarations and receiver balances --------------------------------------------------------------

PeriodKind = Literal["month", "quarter", "year"]


class DeclarationSubmit(Strict):
    site_id: uuid.UUID
    period_kind: PeriodKind
    period_start: Day
    reason: str = Field(default="", max_length=2000, description="Required for a correction (a second submission)")
    remarks: str = Field(default="", max_length=4000)


class DeclarationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    site_id: uuid.UUID
    organisation_id: uuid.UUID
    county_adcode: int
    period_kind: str
    period_start: date
    period_end: date
    due_on: date
    version: int
    body: dict[str, Any]
    reason: str
    late: bool
    submitted_by: uuid.UUID
    submitted_at: datetime


class BalanceIn(Strict):
    site_id: uuid.UUID
    month: Day = Field(description="The month's first day")
    utilised_kg: Kg = Field(ge=0, le=1_000_000_000, max_digits=16, decimal_places=3)
    disposed_kg: Kg = Field(ge=0, le=1_000_000_000, max_digits=16, decimal_places=3)
    stored_end_kg: Kg = Field(ge=0, le=1_000_000_000, max_digits=16, decimal_places=3)
    reason: str = Field(default="", max_length=2000)


class BalancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    site_id: uuid.UUID
    month: date
    version: int
    utilised_kg: Decimal
    disposed_kg: Decimal
    stored_end_kg: Decimal
    reason: str
    recorded_by: uuid.UUID
    recorded_at: datetime
