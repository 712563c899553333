"""Alert wire models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AlertPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: str
    title: str
    severity: str
    status: str
    subject_key: str
    manifest_id: uuid.UUID | None
    licence_id: uuid.UUID | None
    generator_county: int | None
    receiver_county: int | None
    event_counties: list[int] = Field(default_factory=list, description="Counties where the events it is about happened")
    generator_org_id: uuid.UUID | None
    receiver_org_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    occurrences: int
    evidence: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None


class AlertsPublic(BaseModel):
    items: list[AlertPublic]
    next_cursor: str | None


class AlertHistoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor_user_id: uuid.UUID | None
    action: str
    old_status: str | None
    new_status: str | None
    note: str | None
    details: dict[str, Any]


class AlertDetail(AlertPublic):
    explanation: str
    geometry: dict[str, Any] = Field(description="GeoJSON FeatureCollection: generator, receiver, scans, drop-off")
    manifest: dict[str, Any] | None
    timeline: list[dict[str, Any]]
    history: list[AlertHistoryPublic]


class AlertAction(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(default=None, max_length=4000)


class AlertAssign(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    assignee_id: uuid.UUID | None
    note: str | None = Field(default=None, max_length=4000)


class AlertSummary(BaseModel):
    total: int
    by_rule: dict[str, int]
    by_severity: dict[str, int]
    by_status: dict[str, int]
    by_county: dict[str, int]
