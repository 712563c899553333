"""Users, API keys and log-in attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class User(SQLModel, table=True):
    """A person or machine account. Enterprise users and drivers are bound to an organisation;
    regulators to a jurisdiction (a county or a city)."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('enterprise', 'driver', 'regulator', 'admin')", name="role"),
        CheckConstraint("(role IN ('enterprise', 'driver')) = (organisation_id IS NOT NULL)", name="org_binding"),
        CheckConstraint("(role = 'regulator') = (jurisdiction_adcode IS NOT NULL)", name="jurisdiction_binding"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    display_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    organisation_id: uuid.UUID | None = Field(default=None, foreign_key="organisation.id", index=True)
    jurisdiction_adcode: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("jurisdiction.adcode"), nullable=True)
    )
    is_active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true")))
    is_demo: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false")))
    preferred_lang: str = Field(default="zh-CN", sa_column=Column(String(8), nullable=False, server_default="zh-CN"))
    created_at: datetime = created_at_field()


class ApiKey(SQLModel, table=True):
    """A machine credential (e.g. an enterprise ERP). Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    prefix: str = Field(sa_column=Column(String(16), nullable=False, unique=True))
    key_hash: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = created_at_field()
    expires_at: datetime | None = Field(default=None, sa_column=tz_column())
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column())
    last_used_at: datetime | None = Field(default=None, sa_column=tz_column())


class LoginFailure(SQLModel, table=True):
    """A failed log-in, kept for rate limiting per account and per address (shared by all workers)."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    address: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    at: datetime = created_at_field()
