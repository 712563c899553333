"""Shared wire types: the error body, GeoJSON points, pages."""

from __future__ import annotations

import math
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every error: a stable machine-readable code, a message in the caller's language, details."""

    code: str = Field(examples=["not_found"])
    message: str
    details: Any = None


class PointGeoJSON(BaseModel):
    """An RFC 7946 Point: coordinates are [longitude, latitude] in WGS-84."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]

    @field_validator("coordinates")
    @classmethod
    def _range(cls, v: tuple[float, float]) -> tuple[float, float]:
        lon, lat = v
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError("coordinates must be finite numbers")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("coordinates must be [longitude -180..180, latitude -90..90]")
        return v

    @property
    def lon(self) -> float:
        return self.coordinates[0]

    @property
    def lat(self) -> float:
        return self.coordinates[1]

    @classmethod
    def of(cls, lon: float, lat: float) -> PointGeoJSON:
        return cls(coordinates=(lon, lat))


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Counted(BaseModel, Generic[T]):
    items: list[T]
    total: int


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not authenticated"},
    403: {"model": ErrorBody, "description": "Forbidden"},
    404: {"model": ErrorBody, "description": "Not found"},
    409: {"model": ErrorBody, "description": "Conflict"},
    422: {"model": ErrorBody, "description": "Validation or business-rule error"},
}
