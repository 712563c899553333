"""Wire models of protected zones."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from schemas.common import Day
from schemas.manifest import Strict


class ZonesImport(Strict):
    geojson: dict[str, Any] = Field(description="A FeatureCollection (or Feature, Polygon, MultiPolygon) of polygons")
    kind: Literal["drinking_water", "ecological_redline", "other"]
    name: str | None = Field(default=None, max_length=200, description="Default: each feature's properties.name")
    valid_from: Day
    valid_to: Day | None = None
    datum: Literal["wgs84", "gcj02"] = Field(default="wgs84", description="The file's coordinates; GCJ-02 is converted")
    source: str = Field(default="", max_length=500, description="Where the boundary comes from (the decision, the file)")
    is_example: bool = Field(default=False, description="An example area, not an official boundary")


class ZoneRetire(Strict):
    on: Day
