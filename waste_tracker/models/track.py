"""Track points: where a truck was between the pickup and the drop-off scans (append-only,
partitioned by month on ``recorded_at``; migration 0015 creates the partitions)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import REAL, Boolean, CheckConstraint, Column, Double, ForeignKey, PrimaryKeyConstraint, String, Uuid
from sqlmodel import Field, SQLModel

from waste_tracker.models.base import tz_column


class TrackPoint(SQLModel, table=True):
    __tablename__ = "track_point"
    __table_args__ = (
        PrimaryKeyConstraint("manifest_id", "source", "recorded_at", name="pk_track_point"),
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
