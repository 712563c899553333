"""Manifests (电子转移联单), their waste lines, the append-only event log, numbering, exemptions,
idempotency records and findings.

The ``manifest`` row and its lines are a projection: the event log is the record. The projection
columns are written in the same transaction as each event.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
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
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class Manifest(SQLModel, table=True):
    __tablename__ = "manifest"
    __table_args__ = (
        CheckConstraint("kind IN ('hazardous', 'general')", name="kind"),
        CheckConstraint("purpose IN ('transfer', 'return')", name="purpose"),
        Index("ix_manifest_generator_org_created", "generator_org_id", text("created_at DESC"), "id"),
        Index("ix_manifest_carrier_org_created", "carrier_org_id", text("created_at DESC"), "id"),
        Index("ix_manifest_receiver_org_created", "receiver_org_id", text("created_at DESC"), "id"),
        Index("ix_manifest_gen_county_created", "generator_county", text("created_at DESC"), "id"),
        Index("ix_manifest_rcv_county_created", "receiver_county", text("created_at DESC"), "id"),
        Index("ix_manifest_status", "status"),
        # Partial indexes for the sweep: each time rule scans only manifests open in one status.
        Index("ix_manifest_open_submitted", "submitted_at", postgresql_where=text("status = 'submitted'")),
        Index("ix_manifest_open_in_transit", "picked_up_at", postgresql_where=text("status = 'in_transit'")),
        Index("ix_manifest_open_delivered", "delivered_at", postgresql_where=text("status = 'delivered'")),
        Index("ix_manifest_open_received", "received_at", postgresql_where=text("status = 'received'")),
        Index("ix_manifest_open_rejected", "rejected_at", postgresql_where=text("status = 'rejected' OR remainder_open")),
        Index("ix_manifest_licence_received", "licence_id", "received_at", postgresql_where=text("received_at IS NOT NULL")),
        # Regulators' KPIs select a period of submissions.
        Index("ix_manifest_submitted_at", "submitted_at", postgresql_where=text("submitted_at IS NOT NULL")),
        CheckConstraint(
            "cardinality(handover_carrier_org_ids) = cardinality(handover_site_ids) "
            "AND cardinality(handover_carrier_org_ids) <= 4",
            name="handovers",
        ),
        CheckConstraint("leg BETWEEN 1 AND 1 + cardinality(handover_carrier_org_ids)", name="leg"),
        Index(
            "ix_manifest_handover_carriers",
            "handover_carrier_org_ids",
            postgresql_using="gin",
            postgresql_where=text("cardinality(handover_carrier_org_ids) > 0"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    number: str | None = Field(default=None, sa_column=Column(String(14), unique=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    purpose: str = Field(default="transfer", sa_column=Column(String(16), nullable=False, server_default="transfer"))
    catalogue_edition: str = Field(sa_column=Column(String(16), nullable=False))
    parent_manifest_id: uuid.UUID | None = Field(default=None, foreign_key="manifest.id")

    generator_org_id: uuid.UUID = Field(foreign_key="organisation.id")
    generator_site_id: uuid.UUID = Field(foreign_key="site.id")
    carrier_org_id: uuid.UUID = Field(foreign_key="organisation.id")
    receiver_org_id: uuid.UUID = Field(foreign_key="organisation.id")
    receiver_site_id: uuid.UUID = Field(foreign_key="site.id")
    pickup_site_id: uuid.UUID = Field(foreign_key="site.id")
    # Art. 17: the carriers after the first, in order, and the registered site where each takes over.
    handover_carrier_org_ids: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(Uuid), nullable=False, server_default="{}")
    )
    handover_site_ids: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(Uuid), nullable=False, server_default="{}")
    )
    generator_county: int = Field(sa_column=Column(Integer, nullable=False))
    generator_city: int = Field(sa_column=Column(Integer, nullable=False))
    receiver_county: int = Field(sa_column=Column(Integer, nullable=False))
    receiver_city: int = Field(sa_column=Column(Integer, nullable=False))
    distance_m: float | None = Field(default=None)

    planned_method_code: str = Field(sa_column=Column(String(8), ForeignKey("method_code.code"), nullable=False))
    planned_pickup_date: date = Field(sa_column=Column(Date, nullable=False))
    emergency_measures: str = Field(sa_column=Column(Text, nullable=False))
    emergency_contact: str = Field(sa_column=Column(Text, nullable=False))
    emergency_phone: str = Field(sa_column=Column(String(40), nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Who the generator expects to come (optional): the carrier's truck and driver as planned.
    planned_vehicle_plate: str | None = Field(default=None, sa_column=Column(String(16)))
    planned_driver_id: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")

    licence_id: uuid.UUID | None = Field(default=None, foreign_key="licence.id")
    permit_id: uuid.UUID | None = Field(default=None, foreign_key="transport_permit.id")
    exemption_id: uuid.UUID | None = Field(default=None, foreign_key="exemption.id")
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()

    # --- projection of the events (see waste_tracker.manifest.lifecycle.evolve) ---
    status: str = Field(sa_column=Column(String(24), nullable=False))
    version: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    last_hash: str = Field(sa_column=Column(String(64), nullable=False))
    decision: str | None = Field(default=None, sa_column=Column(String(16)))
    remainder_open: bool = False
    declared_kg: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(14, 3), nullable=False))
    picked_up_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    received_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    accepted_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    disposed_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    vehicle_plate: str | None = Field(default=None, sa_column=Column(String(16)))
    # Which carrier holds the load (1: the first; +1 at each handover).
    leg: int = Field(default=1, sa_column=Column(SmallInteger, nullable=False, server_default="1"))
    child_manifest_id: uuid.UUID | None = Field(default=None)
    submitted_at: datetime | None = Field(default=None, sa_column=tz_column())
    picked_up_at: datetime | None = Field(default=None, sa_column=tz_column())
    delivered_at: datetime | None = Field(default=None, sa_column=tz_column())
    received_at: datetime | None = Field(default=None, sa_column=tz_column())
    rejected_at: datetime | None = Field(default=None, sa_column=tz_column())
    completed_at: datetime | None = Field(default=None, sa_column=tz_column())
    closed_at: datetime | None = Field(default=None, sa_column=tz_column())
    updated_at: datetime | None = Field(default=None, sa_column=tz_column())
    # The parties as they were at submission (names, credit codes), from the submitted event.
    parties: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))

    @property
    def carrier_org_ids(self) -> list[uuid.UUID]:
        """Every carrier, in order (the first, then those taking over)."""
        return [self.carrier_org_id, *self.handover_carrier_org_ids]

    @property
    def current_carrier_org_id(self) -> uuid.UUID:
        """The carrier holding (or about to pick up) the load."""
        return self.carrier_org_ids[min(self.leg, len(self.carrier_org_ids)) - 1]

    @property
    def handover_site_id(self) -> uuid.UUID | None:
        """Where the next handover must happen (``None``: the current carrier is the last)."""
        return self.handover_site_ids[self.leg - 1] if self.leg <= len(self.handover_site_ids) else None


class ManifestLine(SQLModel, table=True):
    __tablename__ = "manifest_line"
    __table_args__ = (
        PrimaryKeyConstraint("manifest_id", "line_no", name="pk_manifest_line"),
        CheckConstraint("declared_kg > 0", name="declared_positive"),
        CheckConstraint("container_count >= 0", name="containers_non_negative"),
    )

    manifest_id: uuid.UUID = Field(sa_column=Column(ForeignKey("manifest.id"), nullable=False))
    line_no: int = Field(sa_column=Column(SmallInteger, nullable=False))
    waste_code: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    category_code: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    physical_form: str = Field(sa_column=Column(String(16), nullable=False))
    hazard_characteristics: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(4)), nullable=False, server_default="{}")
    )
    declared_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    container_type: str = Field(sa_column=Column(Text, nullable=False))
    container_count: int = Field(sa_column=Column(Integer, nullable=False))
    received_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))
    accepted_kg: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 3)))


class ManifestEvent(SQLModel, table=True):
    """One step of a manifest's life. Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE);
    ``hash`` = SHA-256 of the canonical form (see waste_tracker.manifest.chain), including
    ``prev_hash``, so any later edit breaks the chain."""

    __tablename__ = "manifest_event"
    __table_args__ = (
        PrimaryKeyConstraint("manifest_id", "seq", name="pk_manifest_event"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_manifest_event_server_time", "server_time"),
    )

    manifest_id: uuid.UUID = Field(sa_column=Column(ForeignKey("manifest.id"), nullable=False))
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    type: str = Field(sa_column=Column(String(32), nullable=False))
    actor_user_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("app_user.id")))
    actor_org_id: uuid.UUID | None = Field(default=None, sa_column=Column(ForeignKey("organisation.id")))
    server_time: datetime = Field(sa_column=tz_column(nullable=False))
    device_time: datetime | None = Field(default=None, sa_column=tz_column())
    location: Any = Field(default=None, sa_column=Column(Geometry("POINT", srid=4326, spatial_index=False)))
    accuracy_m: Decimal | None = Field(default=None, sa_column=Column(Numeric(10, 2)))
    vehicle_plate: str | None = Field(default=None, sa_column=Column(String(16)))
    payload: dict[str, Any] = Field(default_factory=dict[str, Any], sa_column=Column(JSONB, nullable=False))
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class ManifestSerial(SQLModel, table=True):
    """Gap-free serials per prefecture and year: incremented under a row lock in the submitting
    transaction, so a rolled-back submission gives its number back."""

    __tablename__ = "manifest_serial"
    __table_args__ = (PrimaryKeyConstraint("prefecture", "year", name="pk_manifest_serial"),)

    prefecture: str = Field(sa_column=Column(String(4), nullable=False))
    year: int = Field(sa_column=Column(SmallInteger, nullable=False))
    last_serial: int = Field(sa_column=Column(Integer, nullable=False))


class Exemption(SQLModel, table=True):
    """A regulator's permission for a named generator to send named wastes to a named receiver
    site across a county (general waste) or city (hazardous waste) boundary, up to a quantity."""

    __tablename__ = "exemption"
    __table_args__ = (
        CheckConstraint("scope IN ('cross_county', 'cross_city')", name="scope"),
        CheckConstraint("quantity_cap_kg > 0", name="cap_positive"),
        CheckConstraint("used_kg >= 0", name="used_non_negative"),
        CheckConstraint("valid_from <= valid_to", name="validity"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    scope: str = Field(sa_column=Column(String(16), nullable=False))
    generator_org_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    # The site the waste leaves: its county decides who may grant. NULL only on grants made
    # before sites were named (migration 0006); such a grant covers no submission.
    generator_site_id: uuid.UUID | None = Field(default=None, foreign_key="site.id", index=True)
    receiver_site_id: uuid.UUID = Field(foreign_key="site.id")
    waste_codes: list[str] = Field(sa_column=Column(ARRAY(String(16)), nullable=False))
    quantity_cap_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    used_kg: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(14, 3), nullable=False, server_default="0"))
    valid_from: date
    valid_to: date
    reason: str = Field(sa_column=Column(Text, nullable=False))
    granted_by: uuid.UUID = Field(foreign_key="app_user.id")
    granted_in: int = Field(sa_column=Column(Integer, ForeignKey("jurisdiction.adcode"), nullable=False))
    created_at: datetime = created_at_field()
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column())
    revoked_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a request carrying an ``Idempotency-Key``, stored in the same
    transaction as its effect: a retry gets it back and writes nothing."""

    __tablename__ = "idempotency_record"
    __table_args__ = (PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_record"),)

    user_id: uuid.UUID = Field(sa_column=Column(ForeignKey("app_user.id"), nullable=False))
    key: str = Field(sa_column=Column(String(128), nullable=False))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status_code: int | None = Field(default=None, sa_column=Column(SmallInteger))
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    created_at: datetime = created_at_field()


class Finding(SQLModel, table=True):
    """Something a check noticed about a manifest (e.g. a scan outside the site's geofence).
    Findings are facts; the alerts workflow decides what regulators must look at."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("manifest_id", "event_seq", "code", name="uq_finding_event_code"),
        Index("ix_finding_manifest", "manifest_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    manifest_id: uuid.UUID = Field(sa_column=Column(ForeignKey("manifest.id"), nullable=False))
    event_seq: int | None = Field(default=None, sa_column=Column(Integer))
    code: str = Field(sa_column=Column(String(48), nullable=False))
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    details: dict[str, Any] = Field(default_factory=dict[str, Any], sa_column=Column(JSONB, nullable=False))
    created_at: datetime = created_at_field()


class ExemptionRequest(SQLModel, table=True):
    """An enterprise's request for an exemption: pending until a regulator grants it (making the
    ``exemption``) or refuses it with a reason; the asker may withdraw it while pending."""

    __tablename__ = "exemption_request"
    __table_args__ = (
        CheckConstraint("scope IN ('cross_county', 'cross_city')", name="scope"),
        CheckConstraint("status IN ('pending', 'granted', 'refused', 'withdrawn')", name="status"),
        CheckConstraint("quantity_kg > 0", name="quantity"),
        CheckConstraint("valid_from <= valid_to", name="validity"),
        CheckConstraint("(status = 'granted') = (exemption_id IS NOT NULL)", name="granted"),
        Index("ix_exemption_request_pending", "created_at", postgresql_where=text("status = 'pending'")),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    scope: str = Field(sa_column=Column(String(16), nullable=False))
    generator_org_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    generator_site_id: uuid.UUID = Field(foreign_key="site.id")
    receiver_site_id: uuid.UUID = Field(foreign_key="site.id")
    waste_codes: list[str] = Field(sa_column=Column(ARRAY(String(16)), nullable=False))
    quantity_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    valid_from: date
    valid_to: date
    reason: str = Field(sa_column=Column(Text, nullable=False))
    requested_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False, server_default="pending"))
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_column=tz_column())
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    exemption_id: uuid.UUID | None = Field(default=None, foreign_key="exemption.id")
