"""Wire models of approved routes."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from schemas.common import Day
from schemas.manifest import Strict


class RouteCreate(Strict):
    pickup_site_id: uuid.UUID
    receiver_site_id: uuid.UUID
    geojson: dict[str, Any] = Field(description="A GeoJSON LineString (or a Feature of one), from pickup to receiver")
    valid_from: Day
    valid_to: Day | None = None
    datum: Literal["wgs84", "gcj02"] = Field(default="wgs84", description="The file's coordinates; GCJ-02 is converted")
    note: str = Field(default="", max_length=1000, description="The approval (decision number, conditions)")


class RouteRetire(Strict):
    on: Day
