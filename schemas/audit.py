"""Wire models of third-party audit sampling: the draw, samples and their units, assignments,
the read log, findings and attachments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.manifest import Strict


class ExclusionIn(Strict):
    organisation_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500, description="Why the enterprise leaves the frame (kept)")


class SampleCreate(Strict):
    period_from: date = Field(description="First day of the audited period (Shanghai)")
    period_to: date = Field(description="Last day of the audited period, included")
    rate: Decimal = Field(default=Decimal("0.2"), gt=0, le=1, description="Share drawn in each stratum (at least one)")
    band_small_t: Decimal = Field(default=Decimal(100), gt=0, le=1_000_000, description="Small: below this many tonnes")
    band_large_t: Decimal = Field(default=Decimal(1000), gt=0, le=1_000_000, description="Large: from this many tonnes")
    seed: str | None = Field(default=None, max_length=64, description="Random seed (recorded); drawn at random if absent")
    jurisdiction_adcode: int | None = Field(default=None, description="Admins only: the county or city to sample")
    exclusions: list[ExclusionIn] = Field(default_factory=list, max_length=500)
    note: str = Field(default="", max_length=2000)


class StratumPublic(BaseModel):
    county_adcode: int
    band: Literal["small", "medium", "large"]
    population: int
    excluded: int
    drawn: int


class SampleUnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    organisation_id: uuid.UUID
    uscc: str
    name: str
    county_adcode: int
    band: str
    size_kg: Decimal
    draw_key: str = Field(description="SHA-256 of seed + '|' + USCC, hex: the order within the stratum")
    draw_rank: int | None
    outcome: Literal["selected", "not_selected", "excluded"]
    exclusion_reason: str | None


class AssignmentCreate(Strict):
    auditor_id: uuid.UUID
    valid_from: date
    valid_to: date = Field(description="Last day of access, included")
    firm: str = Field(default="", max_length=200)


class AssignmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    sample_id: uuid.UUID
    auditor_id: uuid.UUID
    firm: str
    valid_from: datetime
    valid_to: datetime
    created_at: datetime


class ClosureIn(Strict):
    reason: str = Field(default="", max_length=500)


class AttachmentIn(Strict):
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(max_length=14_000_000, description="PDF or image (JPEG, PNG, WebP), at most 10 MB")


class FindingCreate(Strict):
    organisation_id: uuid.UUID
    severity: Literal["critical", "warning", "info"]
    text: str = Field(min_length=1, max_length=5000)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    sha256: str
    filename: str
    media_type: str
    size: int


class FindingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    sample_id: uuid.UUID
    organisation_id: uuid.UUID
    auditor_id: uuid.UUID
    severity: str
    text: str
    alert_id: int | None
    created_at: datetime
    attachments: list[AttachmentPublic] = Field(default_factory=list)


class SamplePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    jurisdiction_adcode: int
    period_from: date
    period_to: date
    seed: str
    rate: Decimal
    band_small_t: Decimal
    band_large_t: Decimal
    strata: list[StratumPublic]
    note: str
    created_at: datetime
    closed: bool = False


class SampleDetail(SamplePublic):
    units: list[SampleUnitPublic]
    assignments: list[AssignmentPublic]
    findings: list[FindingPublic]
    reproducible: bool | None = Field(default=None, description="The recorded draw re-run gives the same outcome")


class ReadPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    auditor_id: uuid.UUID
    organisation_id: uuid.UUID | None
    kind: str
    object_id: str
    created_at: datetime
