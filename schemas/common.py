"""Shared wire types: the error body, GeoJSON points, pages."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from waste_tracker.clock import MAX_DAY, MIN_DAY

T = TypeVar("T")


class ErrorBody(BaseModel):
    """Every error: a stable machine-readable code, a message in the caller's language, details."""

    code: str = Field(examples=["not_found"])
    message: str
    details: Any = None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN_DECIMAL = re.compile(r"\d{1,15}(\.\d{1,6})?")


def _iso_day(v: Any) -> Any:
    """Only a calendar date written YYYY-MM-DD: not 0 (the epoch), not "20270101", not a time."""
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if isinstance(v, str) and _ISO_DAY.fullmatch(v):
        return v
    raise ValueError("a calendar date written YYYY-MM-DD")


def _in_calendar(v: date) -> date:
    if not MIN_DAY <= v <= MAX_DAY:
        raise ValueError(f"a date from {MIN_DAY} to {MAX_DAY}")
    return v


def _plain_decimal(v: Any) -> Any:
    """A quantity as a JSON number or a plain decimal string ("1500", "1.5"): not "1_000", "1e3" or true."""
    if isinstance(v, bool):
        raise ValueError("a number, not true/false")
    if isinstance(v, int | float | Decimal):
        return v
    if isinstance(v, str) and _PLAIN_DECIMAL.fullmatch(v):
        return v
    raise ValueError('a plain decimal number such as 1500 or "1.5"')


# A calendar day in the service's calendar (query parameters and bodies alike).
Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_in_calendar)]
# An amount as people write it; ranges and precision are set per field with Field(...).
Amount = Annotated[Decimal, BeforeValidator(_plain_decimal)]


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
    400: {"model": ErrorBody, "description": "Unreadable body (not UTF-8 JSON, or nested too deeply): code unreadable_body"},
    401: {"model": ErrorBody, "description": "Not authenticated"},
    403: {"model": ErrorBody, "description": "Forbidden"},
    404: {"model": ErrorBody, "description": "Not found"},
    409: {"model": ErrorBody, "description": "Conflict"},
    422: {"model": ErrorBody, "description": "Validation or business-rule error"},
}
