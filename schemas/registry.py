"""Registry wire models: Create / Update / Public families."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Amount, Day, PointGeoJSON

OrgRole = Literal["generator", "carrier", "receiver"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class JurisdictionPublic(BaseModel):
    adcode: int
    level: Literal["province", "city", "county"]
    parent_adcode: int | None
    name: str
    name_en: str
    label_point: PointGeoJSON
    area_km2: float
    geometry: dict[str, Any] | None = Field(default=None, description="GeoJSON MultiPolygon (WGS-84) when requested")


class WasteCodePublic(BaseModel):
    code: str
    edition: str
    kind: Literal["hazardous", "general"]
    category_code: str
    category_name: str
    category_name_en: str
    industry_source: str
    description: str
    hazard_characteristics: list[str]
    changes: list[dict[str, Any]] = Field(
        default_factory=list, description="What later editions of the list made of this code (merged, split, ...)"
    )


class CatalogueEditionPublic(BaseModel):
    edition: str
    title: str
    decree: str
    in_force_from: date
    official_count: int
    loaded_count: int
    complete: bool
    source: str
    missing: str
    used_for_new_records: bool = False


class WasteCodesPublic(BaseModel):
    items: list[WasteCodePublic]
    total: int


class MethodCodePublic(BaseModel):
    code: str
    kind: str
    name: str
    name_en: str


class OrganisationCreate(Strict):
    name: str = Field(min_length=2, max_length=200)
    uscc: str = Field(min_length=1, max_length=40, description="统一社会信用代码, validated with its check character")
    roles: list[OrgRole] = Field(min_length=1)
    industry: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)


class OrganisationUpdate(Strict):
    name: str | None = Field(
        default=None, min_length=2, max_length=200, description="Not changeable here (403 legal_identity_change): see /identity"
    )
    roles: list[OrgRole] | None = Field(default=None, min_length=1)
    industry: str | None = Field(default=None, max_length=200)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    uscc: str
    roles: list[str]
    industry: str
    contact_name: str
    contact_phone: str
    address: str
    created_at: datetime


class SiteCreate(Strict):
    organisation_id: uuid.UUID
    name: str = Field(min_length=2, max_length=200)
    address: str = Field(default="", max_length=300)
    location: PointGeoJSON
    county_adcode: int | None = Field(default=None, description="Optional; must agree with the location")
    kind: Literal["facility", "parking", "transit", "collection"] = Field(
        default="facility", description="parking, transit and collection sites are where a truck may stand on its way"
    )


class SitePublic(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    address: str
    location: PointGeoJSON
    county_adcode: int
    city_adcode: int
    kind: str = "facility"
    created_at: datetime


class LicenceCreate(Strict):
    site_id: uuid.UUID
    number: str = Field(min_length=3, max_length=64)
    kind: Literal["hazardous", "general"] = "hazardous"
    waste_codes: list[str] = Field(default_factory=list, max_length=500)
    waste_categories: list[str] = Field(default_factory=list, max_length=60)
    method_codes: list[str] = Field(min_length=1, max_length=40)
    annual_capacity_t: Amount = Field(gt=0, le=10_000_000, max_digits=14, decimal_places=3)
    valid_from: Day
    valid_to: Day


class LicencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    site_id: uuid.UUID
    number: str
    kind: str
    waste_codes: list[str]
    waste_categories: list[str]
    method_codes: list[str]
    annual_capacity_t: Decimal
    valid_from: date
    valid_to: date


class PermitCreate(Strict):
    organisation_id: uuid.UUID
    number: str = Field(min_length=3, max_length=64)
    hazardous_allowed: bool
    valid_from: Day
    valid_to: Day


class PermitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    number: str
    hazardous_allowed: bool
    valid_from: date
    valid_to: date
    revoked_at: datetime | None = None
    revoke_reason: str | None = None


class RevokeIn(Strict):
    reason: str = Field(min_length=2, max_length=2000)


class IdentityChange(Strict):
    """A new legal name and/or unified social credit code, with the reason (e.g. the registration change)."""

    name: str | None = Field(default=None, min_length=2, max_length=200)
    uscc: str | None = Field(default=None, min_length=18, max_length=18)
    reason: str = Field(min_length=2, max_length=2000)


class IdentityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    uscc: str
    reason: str
    changed_by: uuid.UUID | None
    created_at: datetime


class VehicleCreate(Strict):
    organisation_id: uuid.UUID
    plate: str = Field(min_length=5, max_length=16)
    capacity_kg: Amount = Field(gt=0, le=100_000, max_digits=12, decimal_places=3)
    permit_id: uuid.UUID | None = None


class VehiclePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    permit_id: uuid.UUID | None
    plate: str
    capacity_kg: Decimal


class FleetPermitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: str
    hazardous_allowed: bool
    valid_from: date
    valid_to: date
    valid_on_day: bool
    days_left: int


class FleetVehiclePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    plate: str
    capacity_kg: Decimal
    permit_number: str | None
    permit_valid_to: date | None


class FleetDriverPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str


class FleetPublic(BaseModel):
    """A carrier's permits (valid on ``on``?), trucks and active drivers, for the filing form."""

    model_config = ConfigDict(from_attributes=True)
    carrier_org_id: uuid.UUID
    on: date
    permits: list[FleetPermitPublic]
    vehicles: list[FleetVehiclePublic]
    drivers: list[FleetDriverPublic]
