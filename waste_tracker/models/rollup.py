"""Maintained roll-ups: small tables kept exact by triggers in the same transaction as the rows
they summarise, so regulators' aggregates do not scan years of manifests."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Column, Date, Integer, Numeric, PrimaryKeyConstraint, SmallInteger, String, Uuid
from sqlmodel import Field, SQLModel


class FlowDaily(SQLModel, table=True):
    """Tonnage moved per day (Asia/Shanghai date of the pickup), kind and (generator county,
    receiver county): what the flows map sums. One row per key and day; the tonnage of a manifest
    is the best measure known — received, else picked up, else declared — and is corrected when a
    later event changes it (trigger ``manifest_flow_rollup``, migration 0005)."""

    __tablename__ = "flow_daily"
    __table_args__ = (
        PrimaryKeyConstraint(
            "day", "kind", "generator_county", "receiver_county", "generator_city", "receiver_city", name="pk_flow_daily"
        ),
    )

    day: date = Field(sa_column=Column(Date, nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    generator_county: int = Field(sa_column=Column(Integer, nullable=False))
    receiver_county: int = Field(sa_column=Column(Integer, nullable=False))
    generator_city: int = Field(sa_column=Column(Integer, nullable=False))
    receiver_city: int = Field(sa_column=Column(Integer, nullable=False))
    manifests: int = Field(sa_column=Column(Integer, nullable=False))
    tonnage_kg: Decimal = Field(sa_column=Column(Numeric(18, 3), nullable=False))


class LicenceYearReceived(SQLModel, table=True):
    """Tonnage received and accepted per licence and calendar year (Asia/Shanghai): the capacity
    rules compare ``accepted_kg`` (the rejected part of a partial acceptance goes back) with the
    licence's annual capacity. Kept exact by the trigger ``manifest_licence_rollup`` (migrations
    0005, 0007) whenever a manifest's licence, receipt time or quantities change."""

    __tablename__ = "licence_year_received"
    __table_args__ = (PrimaryKeyConstraint("licence_id", "year", name="pk_licence_year_received"),)

    licence_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    year: int = Field(sa_column=Column(SmallInteger, nullable=False))
    manifests: int = Field(sa_column=Column(Integer, nullable=False))
    received_kg: Decimal = Field(sa_column=Column(Numeric(18, 3), nullable=False))
    accepted_kg: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(18, 3), nullable=False, server_default="0"))
