"""Third-party audit sampling: samples (with every unit of the frame and the draw's outcome),
their closures, auditors' assignments, what auditors read, findings and their attachments.

Every table here is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): a redraw is a
new sample, closing one is a row of ``audit_sample_closure``, a finding is never edited.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class AuditSample(SQLModel, table=True):
    """One draw: who drew it, over which counties and period, with which seed and parameters,
    and the strata it found (county × size band: population, excluded, drawn)."""

    __tablename__ = "audit_sample"
    __table_args__ = (
        CheckConstraint("period_to >= period_from", name="period"),
        CheckConstraint("rate > 0 AND rate <= 1", name="rate"),
        CheckConstraint("band_small_t > 0 AND band_large_t > band_small_t", name="bands"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    jurisdiction_adcode: int = Field(sa_column=Column(Integer, ForeignKey("jurisdiction.adcode"), nullable=False))
    period_from: date = Field(sa_column=Column(Date, nullable=False))
    period_to: date = Field(sa_column=Column(Date, nullable=False))
    seed: str = Field(sa_column=Column(String(64), nullable=False))
    rate: Decimal = Field(sa_column=Column(Numeric(4, 3), nullable=False))
    band_small_t: Decimal = Field(sa_column=Column(Numeric(12, 3), nullable=False))
    band_large_t: Decimal = Field(sa_column=Column(Numeric(12, 3), nullable=False))
    strata: list[dict[str, object]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    drawn_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class AuditSampleUnit(SQLModel, table=True):
    """One enterprise of the sampling frame: its stratum, size, the draw key and the outcome
    (selected, not selected, or excluded with the reason written down)."""

    __tablename__ = "audit_sample_unit"
    __table_args__ = (
        PrimaryKeyConstraint("sample_id", "organisation_id", name="pk_audit_sample_unit"),
        CheckConstraint("outcome IN ('selected', 'not_selected', 'excluded')", name="outcome"),
        CheckConstraint("(outcome = 'excluded') = (exclusion_reason IS NOT NULL)", name="exclusion_reason"),
        CheckConstraint("band IN ('small', 'medium', 'large')", name="band"),
    )

    sample_id: uuid.UUID = Field(foreign_key="audit_sample.id")
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    uscc: str = Field(sa_column=Column(String(18), nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    band: str = Field(sa_column=Column(String(8), nullable=False))
    size_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    draw_key: str = Field(sa_column=Column(String(64), nullable=False))
    draw_rank: int | None = Field(default=None, sa_column=Column(SmallInteger))
    outcome: str = Field(sa_column=Column(String(16), nullable=False))
    exclusion_reason: str | None = Field(default=None, sa_column=Column(Text))


class AuditSampleClosure(SQLModel, table=True):
    """A sample closed: its assignments end, it stays readable as a record."""

    __tablename__ = "audit_sample_closure"

    sample_id: uuid.UUID = Field(sa_column=Column(ForeignKey("audit_sample.id"), primary_key=True))
    closed_by: uuid.UUID = Field(foreign_key="app_user.id")
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = created_at_field()


class AuditAssignment(SQLModel, table=True):
    """An auditor's read access to one sample's selected enterprises and period, valid from/to."""

    __tablename__ = "audit_assignment"
    __table_args__ = (CheckConstraint("valid_to > valid_from", name="validity"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    sample_id: uuid.UUID = Field(foreign_key="audit_sample.id", index=True)
    auditor_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    firm: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    valid_from: datetime = Field(sa_column=tz_column(nullable=False))
    valid_to: datetime = Field(sa_column=tz_column(nullable=False))
    assigned_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class AuditRead(SQLModel, table=True):
    """One read by an auditor: who, what (kind and id), of which enterprise and sample, when."""

    __tablename__ = "audit_read"
    __table_args__ = (Index("ix_audit_read_sample_at", "sample_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    auditor_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    sample_id: uuid.UUID | None = Field(default=None, foreign_key="audit_sample.id")
    organisation_id: uuid.UUID | None = Field(default=None, foreign_key="organisation.id")
    kind: str = Field(sa_column=Column(String(32), nullable=False))
    object_id: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = created_at_field()


class AuditFinding(SQLModel, table=True):
    """An auditor's finding on one sampled enterprise; raised as an alert for its county."""

    __tablename__ = "audit_finding"
    __table_args__ = (CheckConstraint("severity IN ('critical', 'warning', 'info')", name="severity"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    sample_id: uuid.UUID = Field(foreign_key="audit_sample.id", index=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id")
    auditor_id: uuid.UUID = Field(foreign_key="app_user.id")
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    alert_id: int | None = Field(default=None, sa_column=Column(BigInteger, ForeignKey("alert.id")))
    created_at: datetime = created_at_field()


class AuditAttachment(SQLModel, table=True):
    """A file attached to a finding, kept with its SHA-256 (never overwritten)."""

    __tablename__ = "audit_attachment"
    __table_args__ = (
        CheckConstraint("size = octet_length(content)", name="size"),
        CheckConstraint("media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')", name="media_type"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    finding_id: uuid.UUID = Field(foreign_key="audit_finding.id", index=True)
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    filename: str = Field(sa_column=Column(Text, nullable=False))
    media_type: str = Field(sa_column=Column(String(32), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = created_at_field()
