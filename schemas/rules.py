"""Rule and sweep wire models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["critical", "warning", "info"]


class RulePublic(BaseModel):
    id: str
    trigger: Literal["event", "sweep"]
    enabled: bool
    severity: str
    thresholds: dict[str, Any]
    defaults: dict[str, Any]
    title: str
    explanation: str


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    severity: Severity | None = None
    thresholds: dict[str, float | int] | None = None


class RuleChangePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rule_id: str
    changed_by: uuid.UUID
    changed_at: datetime
    old: dict[str, Any]
    new: dict[str, Any]


class SweepPublic(BaseModel):
    ran: bool
    seconds: float
    rules: dict[str, dict[str, int]]
