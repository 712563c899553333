"""Alerts with their history, and the holiday calendar used to count working days."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from waste_tracker.models.base import created_at_field, tz_column

ALERT_STATUSES = ("open", "acknowledged", "resolved", "dismissed", "auto_resolved")
SEVERITIES = ("critical", "warning", "info")


class Alert(SQLModel, table=True):
    """One alert per (rule, subject): a repeated finding updates it instead of adding another."""

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved', 'dismissed', 'auto_resolved')", name="status"),
        CheckConstraint("severity IN ('critical', 'warning', 'info')", name="severity"),
        Index("uq_alert_rule_subject", "rule_id", "subject_key", unique=True),
        Index("ix_alert_queue", "severity_rank", "first_seen_at", "id"),
        Index("ix_alert_gen_county_status", "generator_county", "status", "severity_rank", "first_seen_at"),
        Index("ix_alert_rcv_county_status", "receiver_county", "status", "severity_rank", "first_seen_at"),
        Index("ix_alert_manifest", "manifest_id"),
        Index("ix_alert_open_rule", "rule_id", postgresql_where=text("status IN ('open', 'acknowledged')")),
        Index("ix_alert_event_counties", "event_counties", postgresql_using="gin"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    rule_id: str = Field(sa_column=Column(String(48), nullable=False))
    subject_key: str = Field(sa_column=Column(String(120), nullable=False))
    manifest_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("manifest.id")))
    licence_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("licence.id")))
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    severity_rank: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(default="open", sa_column=Column(String(16), nullable=False, server_default="open"))
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    signature: str = Field(sa_column=Column(String(64), nullable=False))
    generator_county: int | None = Field(default=None, sa_column=Column(Integer))
    receiver_county: int | None = Field(default=None, sa_column=Column(Integer))
    # Every county where an event this alert is about happened (pickup, drop-off, scan): a load
    # dumped in a third county is that county's regulator's business too.
    event_counties: list[int] = Field(
        default_factory=list, sa_column=Column(ARRAY(Integer), nullable=False, server_default=text("'{}'::integer[]"))
    )
    generator_org_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("organisation.id"), index=True))
    receiver_org_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("organisation.id"), index=True))
    carrier_org_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("organisation.id")))
    assignee_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("app_user.id")))
    occurrences: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    first_seen_at: datetime = Field(sa_column=tz_column(nullable=False))
    last_seen_at: datetime = Field(sa_column=tz_column(nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=tz_column())
    updated_at: datetime = Field(sa_column=tz_column(nullable=False))


class AlertHistory(SQLModel, table=True):
    """Every change to an alert: by the system (opened, reopened, auto_resolved) or by a
    regulator (acknowledged, assigned, commented, resolved, dismissed)."""

    __tablename__ = "alert_history"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    alert_id: int = Field(sa_column=Column(BigInteger, ForeignKey("alert.id"), nullable=False, index=True))
    at: datetime = created_at_field()
    actor_user_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("app_user.id")))
    action: str = Field(sa_column=Column(String(24), nullable=False))
    old_status: str | None = Field(default=None, sa_column=Column(String(16)))
    new_status: str | None = Field(default=None, sa_column=Column(String(16)))
    note: str | None = Field(default=None, sa_column=Column(Text))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}"))


class Holiday(SQLModel, table=True):
    """Calendar exceptions for working-day counts: public holidays (is_workday false) and the
    weekend days worked in exchange (调休, is_workday true)."""

    __tablename__ = "holiday"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    is_workday: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))
