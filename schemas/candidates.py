"""Wire model of the receiver candidates for a load (nearest first, with the jurisdiction verdict)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from schemas.common import PointGeoJSON


class ReceiverCandidate(BaseModel):
    site_id: uuid.UUID
    site_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    county_adcode: int
    county_name: str
    city_adcode: int
    city_name: str
    location: PointGeoJSON
    distance_m: float
    licence_numbers: list[str]
    methods: list[str] = Field(description="Methods a covering licence allows (only the requested one when given)")
    capacity_left_t: Decimal | None = Field(description="Annual licensed capacity not yet received this year")
    outcome: Literal["allowed", "exempted", "needs_exemption"]
    rule: Literal["hazardous_leaves_city", "solid_waste_leaves_county"] | None
    exemption_scope: Literal["cross_city", "cross_county"] | None
    exemption_id: uuid.UUID | None
    exemption_remaining_kg: Decimal | None
    explanation: str = Field(description="The jurisdiction rule's verdict in plain words (zh-CN or en)")


class ReceiverCandidates(BaseModel):
    kind: Literal["hazardous", "general"]
    generator_site_id: uuid.UUID
    generator_county_adcode: int
    generator_city_adcode: int
    items: list[ReceiverCandidate]
