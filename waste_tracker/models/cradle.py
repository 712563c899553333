"""The cradle: management plans, the container ledger, declarations and receivers' monthly
balances (HJ 1259-2022 §5–§7, HJ 1276-2022).

Evidence tables are append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): plan events,
ledger events, declarations and receiver balances. ``management_plan`` and ``waste_container``
are projections written in the same transaction as each of their events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class ManagementPlan(SQLModel, table=True):
    """One site's plan for one year and one kind of waste (projection of its events)."""

    __tablename__ = "management_plan"
    __table_args__ = (
        UniqueConstraint("site_id", "year", "kind", name="uq_management_plan_site_year_kind"),
        CheckConstraint("kind IN ('hazardous', 'general')", name="kind"),
        CheckConstraint("status IN ('draft', 'submitted', 'accepted', 'returned')", name="status"),
        CheckConstraint("management_class IN ('key', 'simplified', 'registered')", name="management_class"),
        Index("ix_management_plan_county_status", "county_adcode", "status"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="site.id")
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    year: int = Field(sa_column=Column(SmallInteger, nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    catalogue_edition: str = Field(sa_column=Column(String(16), nullable=False))
    # key | simplified | registered (HJ 1259 §4.2.3); NULL for general industrial solid waste
    management_class: str | None = Field(default=None, sa_column=Column(String(16)))
    class_basis: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}"))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))  # the latest body's version
    seq: int = Field(sa_column=Column(Integer, nullable=False))  # the latest event
    body: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # The version a regulator accepted last: what manifests are checked against.
    accepted_version: int | None = Field(default=None, sa_column=Column(Integer))
    accepted_body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    filing_number: str | None = Field(default=None, sa_column=Column(String(32), unique=True))
    submitted_at: datetime | None = Field(default=None, sa_column=tz_column())
    accepted_at: datetime | None = Field(default=None, sa_column=tz_column())
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = Field(default=None, sa_column=tz_column())


class ManagementPlanEvent(SQLModel, table=True):
    """Every step of a plan: drafted, revised, submitted, accepted, returned. Append-only; a
    revision carries the whole new body and the reason for it."""

    __tablename__ = "management_plan_event"
    __table_args__ = (PrimaryKeyConstraint("plan_id", "seq", name="pk_management_plan_event"),)

    plan_id: uuid.UUID = Field(sa_column=Column(ForeignKey("management_plan.id"), nullable=False))
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    type: str = Field(sa_column=Column(String(16), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    actor_user_id: uuid.UUID = Field(sa_column=Column(ForeignKey("app_user.id"), nullable=False))
    actor_org_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("organisation.id")))
    at: datetime = Field(sa_column=tz_column(nullable=False))


class PlanSerial(SQLModel, table=True):
    """Gap-free filing numbers per county and year (taken under a row lock at acceptance)."""

    __tablename__ = "plan_serial"
    __table_args__ = (PrimaryKeyConstraint("county_adcode", "year", name="pk_plan_serial"),)

    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    year: int = Field(sa_column=Column(SmallInteger, nullable=False))
    last_serial: int = Field(sa_column=Column(Integer, nullable=False))


CONTAINER_STATUSES = ("in_storage", "on_manifest", "shipped", "handled_on_site")


class WasteContainer(SQLModel, table=True):
    """One container (or one batch of bulk general waste) from generation to its end: shipped on
    a manifest or handled on site. A projection of its ``ledger_event`` chain."""

    __tablename__ = "waste_container"
    __table_args__ = (
        CheckConstraint("kind IN ('hazardous', 'general')", name="kind"),
        CheckConstraint(f"status IN {CONTAINER_STATUSES!r}", name="status"),
        CheckConstraint("net_kg > 0 AND gross_kg >= net_kg", name="weights"),
        Index("ix_waste_container_site_status", "site_id", "status"),
        Index("ix_waste_container_site_code_day", "site_id", "waste_code", "generated_on"),
        Index("ix_waste_container_manifest", "manifest_id", postgresql_where=text("manifest_id IS NOT NULL")),
        Index("ix_waste_container_county_stored", "county_adcode", "stored_at", postgresql_where=text("status = 'in_storage'")),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    identification_code: str = Field(sa_column=Column(String(37), nullable=False, unique=True))
    site_id: uuid.UUID = Field(foreign_key="site.id")
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    catalogue_edition: str = Field(sa_column=Column(String(16), nullable=False))
    waste_code: str = Field(sa_column=Column(String(16), nullable=False))
    category_code: str = Field(sa_column=Column(String(8), nullable=False))
    waste_name: str = Field(sa_column=Column(Text, nullable=False))
    main_components: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    physical_form: str = Field(sa_column=Column(String(16), nullable=False))
    hazard_characteristics: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(4)), nullable=False, server_default="{}")
    )
    container_type: str = Field(sa_column=Column(Text, nullable=False))
    volume_l: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 1)))
    is_batch: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))
    gross_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    net_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    generated_on: date = Field(sa_column=Column(Date, nullable=False))
    storage_facility: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    stored_at: datetime = Field(sa_column=tz_column(nullable=False))
    out_at: datetime | None = Field(default=None, sa_column=tz_column())
    manifest_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("manifest.id")))
    manifest_line_no: int | None = Field(default=None, sa_column=Column(SmallInteger))
    handled_method_code: str | None = Field(default=None, sa_column=Column(String(8)))
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    last_hash: str = Field(sa_column=Column(String(64), nullable=False))
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = Field(default=None, sa_column=tz_column())


class LedgerEvent(SQLModel, table=True):
    """One step of a container's life, hash-linked like manifest events (waste_tracker.ledger.chain)."""

    __tablename__ = "ledger_event"
    __table_args__ = (
        PrimaryKeyConstraint("container_id", "seq", name="pk_ledger_event"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_ledger_event_server_time", "server_time"),
    )

    container_id: uuid.UUID = Field(sa_column=Column(ForeignKey("waste_container.id"), nullable=False))
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    type: str = Field(sa_column=Column(String(32), nullable=False))
    actor_user_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("app_user.id")))
    actor_org_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("organisation.id")))
    server_time: datetime = Field(sa_column=tz_column(nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict[str, Any], sa_column=Column(JSONB, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class ContainerSerial(SQLModel, table=True):
    """The fourth segment of the identification code: per organisation, waste code and day."""

    __tablename__ = "container_serial"
    __table_args__ = (PrimaryKeyConstraint("organisation_id", "waste_code", "day", name="pk_container_serial"),)

    organisation_id: uuid.UUID = Field(sa_column=Column(ForeignKey("organisation.id"), nullable=False))
    waste_code: str = Field(sa_column=Column(String(16), nullable=False))
    day: date = Field(sa_column=Column(Date, nullable=False))
    last_serial: int = Field(sa_column=Column(Integer, nullable=False))


class Declaration(SQLModel, table=True):
    """One submitted declaration (申报) of a site for a period. Immutable: a correction is a new
    row with the next version and a reason."""

    __tablename__ = "declaration"
    __table_args__ = (
        UniqueConstraint("site_id", "period_kind", "period_start", "version", name="uq_declaration_version"),
        CheckConstraint("period_kind IN ('month', 'quarter', 'year')", name="period_kind"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_declaration_county_period", "county_adcode", "period_kind", "period_start"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="site.id")
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    period_kind: str = Field(sa_column=Column(String(8), nullable=False))
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    due_on: date = Field(sa_column=Column(Date, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    body: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    late: bool = Field(sa_column=Column(Boolean, nullable=False))
    submitted_by: uuid.UUID = Field(foreign_key="app_user.id")
    submitted_at: datetime = Field(sa_column=tz_column(nullable=False))


class ReceiverBalance(SQLModel, table=True):
    """A receiver site's own monthly figures (the grave side of the balance): what it utilised,
    disposed of and held in storage at month end. Append-only; a correction is a new version."""

    __tablename__ = "receiver_balance"
    __table_args__ = (
        UniqueConstraint("site_id", "month", "version", name="uq_receiver_balance_version"),
        CheckConstraint("utilised_kg >= 0 AND disposed_kg >= 0 AND stored_end_kg >= 0", name="non_negative"),
        CheckConstraint("extract(day FROM month) = 1", name="month_start"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="site.id")
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id")
    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    month: date = Field(sa_column=Column(Date, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    utilised_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    disposed_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    stored_end_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    recorded_by: uuid.UUID = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_column=tz_column(nullable=False))
