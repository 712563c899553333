"""Statistics wire models: flows between counties and per-county KPIs."""

from __future__ import annotations

from pydantic import BaseModel


class FlowPublic(BaseModel):
    generator_county: int
    receiver_county: int
    generator_city: int
    receiver_city: int
    manifests: int
    tonnes: float
    out_of_city: bool
    out_of_county: bool


class KpiPublic(BaseModel):
    county: int
    name: str
    name_en: str
    manifests: int
    tonnes: float
    completed: int
    on_time_share: float | None
    disposal_share: float | None
    open_alerts_by_rule: dict[str, int]
