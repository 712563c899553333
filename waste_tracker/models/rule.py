"""The live settings of the rules (defaults in ``rules/catalogue.py``), with an audit of every change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, ForeignKey, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from waste_tracker.models.base import created_at_field


class RuleSetting(SQLModel, table=True):
    """The live configuration of one rule; defaults come from the rule catalogue."""

    __tablename__ = "rule_setting"
    __table_args__ = (CheckConstraint("severity IN ('critical', 'warning', 'info')", name="severity"),)

    rule_id: str = Field(sa_column=Column(String(48), primary_key=True))
    enabled: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true")))
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    thresholds: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    updated_at: datetime = created_at_field()
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")


class RuleSettingChange(SQLModel, table=True):
    """Who changed a rule's settings, when, from what, to what. Append-only by convention."""

    __tablename__ = "rule_setting_change"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    rule_id: str = Field(sa_column=Column(String(48), ForeignKey("rule_setting.rule_id"), nullable=False, index=True))
    changed_by: uuid.UUID = Field(foreign_key="app_user.id")
    changed_at: datetime = created_at_field()
    old: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    new: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
