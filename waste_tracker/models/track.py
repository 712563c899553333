"""Track points: where a truck was between the pickup and the drop-off scans (append-only,
partitioned by month on ``recorded_at``; migration 0015 creates the partitions)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    REAL,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    Uuid,
)
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class TrackPoint(SQLModel, table=True):
    __tablename__ = "track_point"
    __table_args__ = (
        PrimaryKeyConstraint("manifest_id", "source", "carrier_org_id", "recorded_at", name="pk_track_point"),
        CheckConstraint("source IN ('phone', 'terminal')", name="source"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
        {"postgresql_partition_by": "RANGE (recorded_at)"},
    )

    manifest_id: uuid.UUID = Field(sa_column=Column(ForeignKey("manifest.id"), nullable=False))
    source: str = Field(sa_column=Column(String(8), nullable=False))  # phone | terminal (JT/T 808 via a platform)
    recorded_at: datetime = Field(sa_column=tz_column(nullable=False))
    lon: float = Field(sa_column=Column(Double, nullable=False))
    lat: float = Field(sa_column=Column(Double, nullable=False))
    accuracy_m: float | None = Field(default=None, sa_column=Column(REAL))
    speed_kmh: float | None = Field(default=None, sa_column=Column(REAL))
    carrier_org_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    received_at: datetime = Field(sa_column=tz_column(nullable=False))
    # False: recorded before the pickup or after the drop-off; kept apart, never drawn or judged.
    in_window: bool = Field(sa_column=Column(Boolean, nullable=False))


class ProtectedZone(SQLModel, table=True):
    """An area waste must not enter or stop near: a drinking-water source protection area, an
    ecological red-line area (危险废物转移管理办法 Art. 8), imported by a regulator."""

    __tablename__ = "protected_zone"
    __table_args__ = (
        CheckConstraint("kind IN ('drinking_water', 'ecological_redline', 'other')", name="kind"),
        CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name="validity"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(String(24), nullable=False))
    geom: Any = Field(sa_column=Column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False))
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_to: date | None = Field(default=None, sa_column=Column(Date))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    is_example: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class ApprovedRoute(SQLModel, table=True):
    """The road a regulator approved between a pickup site and a receiver site: ``off_corridor``
    measures the track against it instead of the straight line (the newest in force wins)."""

    __tablename__ = "approved_route"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name="validity"),
        CheckConstraint("pickup_site_id <> receiver_site_id", name="pair"),
        Index("ix_approved_route_pair", "pickup_site_id", "receiver_site_id", "valid_from"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    pickup_site_id: uuid.UUID = Field(foreign_key="site.id")
    receiver_site_id: uuid.UUID = Field(foreign_key="site.id")
    geom: Any = Field(sa_column=Column(Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False))
    length_m: float = Field(sa_column=Column(Double, nullable=False))
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_to: date | None = Field(default=None, sa_column=Column(Date))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    approved_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class TicketPhoto(SQLModel, table=True):
    """A weighbridge ticket's photo, kept by its SHA-256 (append-only; one row per distinct image)."""

    __tablename__ = "ticket_photo"
    __table_args__ = (
        CheckConstraint("media_type IN ('image/jpeg', 'image/png', 'image/webp')", name="media_type"),
        CheckConstraint("size = octet_length(content)", name="size"),
    )

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    media_type: str = Field(sa_column=Column(String(32), nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = created_at_field()


class WeighbridgeTicket(SQLModel, table=True):
    """A weighbridge ticket of a generator (loaded truck out) or a receiver (truck in). Matched
    to a manifest by plate, site and time when read (``track.tickets``); append-only evidence."""

    __tablename__ = "weighbridge_ticket"
    __table_args__ = (
        CheckConstraint("side IN ('generator', 'receiver')", name="side"),
        CheckConstraint("gross_kg > tare_kg AND tare_kg >= 0 AND net_kg > 0", name="weights"),
        Index("ix_weighbridge_ticket_site_plate_time", "site_id", "plate", "weighed_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="site.id")
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    county_adcode: int = Field(sa_column=Column(Integer, nullable=False))
    side: str = Field(sa_column=Column(String(16), nullable=False))
    plate: str = Field(sa_column=Column(String(16), nullable=False))
    gross_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    tare_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    net_kg: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    weighed_at: datetime = Field(sa_column=tz_column(nullable=False))
    scale_id: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    photo_sha256: str | None = Field(default=None, sa_column=Column(String(64)))
    created_by: uuid.UUID = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
