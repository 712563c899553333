"""Registry tables: who and where — jurisdictions, the waste catalogue, organisations, sites,
licences, transport permits and vehicles."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class Jurisdiction(SQLModel, table=True):
    """A province, city (prefecture) or county with its WGS-84 boundary."""

    __tablename__ = "jurisdiction"
    __table_args__ = (CheckConstraint("level IN ('province', 'city', 'county')", name="level"),)

    adcode: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    level: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    parent_adcode: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("jurisdiction.adcode"), index=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    name_en: str = Field(sa_column=Column(Text, nullable=False))
    geom: Any = Field(sa_column=Column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    imported_at: datetime = created_at_field()


class WasteCode(SQLModel, table=True):
    """One catalogue entry: a National Hazardous Waste List code or a general-waste category."""

    __tablename__ = "waste_code"
    __table_args__ = (
        UniqueConstraint("edition", "code", name="uq_waste_code_edition_code"),
        CheckConstraint("kind IN ('hazardous', 'general')", name="kind"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    edition: str = Field(sa_column=Column(String(16), nullable=False))
    code: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    category_code: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    category_name: str = Field(sa_column=Column(Text, nullable=False))
    category_name_en: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    industry_source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    description: str = Field(sa_column=Column(Text, nullable=False))
    hazard_characteristics: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(4)), nullable=False, server_default="{}")
    )


class CatalogueExemption(SQLModel, table=True):
    """An item of the 危险废物豁免管理清单 appended to the catalogue (one row per stage/condition)."""

    __tablename__ = "catalogue_exemption"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    edition: str = Field(sa_column=Column(String(16), nullable=False))
    seq: int = Field(sa_column=Column(Integer, nullable=False))
    category_or_code: str = Field(sa_column=Column(Text, nullable=False))
    waste: str = Field(sa_column=Column(Text, nullable=False))
    exempt_stage: str = Field(sa_column=Column(Text, nullable=False))
    exempt_condition: str = Field(sa_column=Column(Text, nullable=False))
    exempt_content: str = Field(sa_column=Column(Text, nullable=False))


class MethodCode(SQLModel, table=True):
    """Utilisation (R), disposal (D), co-processing (C) and medical (Y) method codes."""

    __tablename__ = "method_code"

    code: str = Field(sa_column=Column(String(8), primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    name_en: str = Field(sa_column=Column(Text, nullable=False))


class Organisation(SQLModel, table=True):
    """A legal entity identified by its 统一社会信用代码; generator, carrier and/or receiver."""

    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint("roles <@ ARRAY['generator','carrier','receiver']::varchar[]", name="roles"),
        CheckConstraint("cardinality(roles) > 0", name="roles_not_empty"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    uscc: str = Field(sa_column=Column(String(18), nullable=False, unique=True))
    roles: list[str] = Field(sa_column=Column(ARRAY(String(16)), nullable=False))
    industry: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    contact_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    contact_phone: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    address: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = created_at_field()


class OrganisationIdentity(SQLModel, table=True):
    """The legal identity an organisation held from ``created_at`` on: its name and 统一社会信用代码.

    Append-only (a trigger refuses UPDATE and DELETE). The first row is written with the
    organisation; every later change of legal name or code is a regulator's or admin's act with a
    reason, so any past document can be read with the name it was issued under."""

    __tablename__ = "organisation_identity"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    uscc: str = Field(sa_column=Column(String(18), nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    changed_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class Site(SQLModel, table=True):
    """A facility of an organisation; its county is derived from the location in PostGIS."""

    __tablename__ = "site"
    __table_args__ = (CheckConstraint("kind IN ('facility', 'parking', 'transit', 'collection')", name="kind"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    address: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    location: Any = Field(sa_column=Column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False))
    county_adcode: int = Field(sa_column=Column(Integer, ForeignKey("jurisdiction.adcode"), nullable=False, index=True))
    city_adcode: int = Field(sa_column=Column(Integer, ForeignKey("jurisdiction.adcode"), nullable=False, index=True))
    # facility (production, treatment), parking (a carrier's yard), transit (a transfer station),
    # collection (a collection unit's store): a truck may stand at the last three on its way.
    kind: str = Field(default="facility", sa_column=Column(String(16), nullable=False, server_default="facility"))
    created_at: datetime = created_at_field()


class Licence(SQLModel, table=True):
    """A receiver site's licence: which wastes, which methods, how many tonnes a year, when valid.

    ``kind`` is ``hazardous`` (危险废物经营许可证) or ``general`` (a general industrial solid waste
    utilisation/disposal record, which has the same shape)."""

    __tablename__ = "licence"
    __table_args__ = (
        CheckConstraint("valid_from <= valid_to", name="validity"),
        CheckConstraint("annual_capacity_t > 0", name="capacity_positive"),
        CheckConstraint("kind IN ('hazardous', 'general')", name="kind"),
        Index("ix_licence_waste_codes", "waste_codes", postgresql_using="gin"),
        Index("ix_licence_waste_categories", "waste_categories", postgresql_using="gin"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    site_id: uuid.UUID = Field(foreign_key="site.id", index=True)
    number: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    waste_codes: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(String(16)), nullable=False, server_default="{}"))
    waste_categories: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(String(8)), nullable=False, server_default="{}")
    )
    method_codes: list[str] = Field(sa_column=Column(ARRAY(String(8)), nullable=False))
    annual_capacity_t: Decimal = Field(sa_column=Column(Numeric(14, 3), nullable=False))
    valid_from: date
    valid_to: date
    created_at: datetime = created_at_field()


class TransportPermit(SQLModel, table=True):
    """A carrier's road transport permit (道路运输经营许可证)."""

    __tablename__ = "transport_permit"
    __table_args__ = (CheckConstraint("valid_from <= valid_to", name="validity"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    number: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    hazardous_allowed: bool = False
    valid_from: date
    valid_to: date
    created_at: datetime = created_at_field()
    # A revoked permit stays on record (who, when, why) and no longer carries new manifests.
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column())
    revoked_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    revoke_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Vehicle(SQLModel, table=True):
    __tablename__ = "vehicle"
    __table_args__ = (CheckConstraint("capacity_kg > 0", name="capacity_positive"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    permit_id: uuid.UUID | None = Field(default=None, foreign_key="transport_permit.id")
    plate: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    capacity_kg: Decimal = Field(sa_column=Column(Numeric(12, 3), nullable=False))
    created_at: datetime = created_at_field()


__all__ = [
    "CatalogueExemption",
    "Jurisdiction",
    "Licence",
    "MethodCode",
    "Organisation",
    "Site",
    "TransportPermit",
    "Vehicle",
    "WasteCode",
]


class CatalogueEdition(SQLModel, table=True):
    """An edition of the National Hazardous Waste List: when it is in force, how many entries the
    official text counts, and whether the bundled data holds all of them. New records take the
    latest complete edition in force on their day; old records keep theirs."""

    __tablename__ = "catalogue_edition"

    edition: str = Field(sa_column=Column(String(16), primary_key=True))
    title: str = Field(sa_column=Column(Text, nullable=False))
    decree: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    in_force_from: date = Field(sa_column=Column(Date, nullable=False))
    official_count: int = Field(sa_column=Column(Integer, nullable=False))
    loaded_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    complete: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    missing: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class CatalogueCodeChange(SQLModel, table=True):
    """A code of one edition and what became of it in a later one (merged, split, renamed,
    removed): shown wherever an old code is no longer valid."""

    __tablename__ = "catalogue_code_change"
    __table_args__ = (
        UniqueConstraint(
            "from_edition",
            "from_code",
            "to_edition",
            "to_code",
            name="uq_catalogue_code_change",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("change IN ('merged', 'split', 'renamed', 'removed', 'reworded')", name="change"),
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    from_edition: str = Field(sa_column=Column(String(16), nullable=False))
    from_code: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    to_edition: str = Field(sa_column=Column(String(16), nullable=False))
    to_code: str | None = Field(default=None, sa_column=Column(String(16)))
    change: str = Field(sa_column=Column(String(16), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    source: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
