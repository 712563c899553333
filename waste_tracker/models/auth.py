"""Users, API keys and log-in attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from waste_tracker.ids import uuid7
from waste_tracker.models.base import created_at_field, tz_column


class User(SQLModel, table=True):
    """A person or machine account. Enterprise users and drivers are bound to an organisation;
    regulators to a jurisdiction (a county or a city)."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("role IN ('enterprise', 'driver', 'regulator', 'admin', 'auditor')", name="role"),
        CheckConstraint("(role IN ('enterprise', 'driver')) = (organisation_id IS NOT NULL)", name="org_binding"),
        CheckConstraint("(role = 'regulator') = (jurisdiction_adcode IS NOT NULL)", name="jurisdiction_binding"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    # The username as compared: NFKC, case-folded (waste_tracker/auth/usernames.py); unique, so
    # "Alice" and "alice" cannot both exist.
    username_key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
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
    password_changed_at: datetime | None = Field(default=None, sa_column=tz_column())
    # Sessions (bearer tokens) issued before this instant are over: set by a password change.
    tokens_valid_after: datetime | None = Field(default=None, sa_column=tz_column())
    # Two-step verification (TOTP, RFC 6238): the secret once confirmed, and one being set up.
    totp_secret: str | None = Field(default=None, sa_column=Column(String(64)))
    totp_pending_secret: str | None = Field(default=None, sa_column=Column(String(64)))
    totp_enabled_at: datetime | None = Field(default=None, sa_column=tz_column())
    totp_last_step: int | None = Field(default=None, sa_column=Column(BigInteger))  # a code is accepted once


class RevokedToken(SQLModel, table=True):
    """A session ended before its token expired (log-out). Checked on every request."""

    __tablename__ = "revoked_token"

    jti: str = Field(sa_column=Column(String(32), primary_key=True))
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    revoked_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_column=tz_column(nullable=False))
    reason: str = Field(sa_column=Column(String(16), nullable=False))


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the authenticator app; only a SHA-256 is stored."""

    __tablename__ = "recovery_code"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="app_user.id", index=True)
    code_hash: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = created_at_field()
    used_at: datetime | None = Field(default=None, sa_column=tz_column())


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
    """A failed log-in, kept for rate limiting per account and address (shared by all workers).
    ``username`` is the canonical key (or the typed name, cut, when it has none), ``address`` the
    normalised client address: what is stored is what is compared."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_pair", "username", "address", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    address: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    at: datetime = created_at_field()
