"""Wire models of tracks: a batch of points, what was made of it."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from schemas.manifest import Strict


class PointIn(Strict):
    recorded_at: AwareDatetime = Field(description="When the position was taken, with its zone (e.g. +08:00)")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="WGS-84 longitude (not GCJ-02)")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="WGS-84 latitude")
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    speed_kmh: float | None = Field(default=None, ge=0, le=300, allow_inf_nan=False)


class PointsIn(Strict):
    points: list[PointIn] = Field(min_length=1, max_length=1000, description="One batch: at most 1,000 points")


class PointsAdded(BaseModel):
    received: int
    added: int = Field(description="New points stored (a re-sent batch adds none)")
    duplicates: int
    outside_window: int = Field(description="Of the added: recorded before the pickup or after the drop-off, kept apart")
    source: Literal["phone", "terminal"]
