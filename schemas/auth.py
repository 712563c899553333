"""Auth wire models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# A password exactly as typed: never stripped (NIST SP 800-63B); the policy is the service's.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=256)]


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    role: str
    scope: str = Field(
        default="full",
        description="full, or enroll_second_factor: the role requires two-step verification; only "
        "/auth/second-factor, /auth/password, /auth/me and /auth/logout answer until it is on",
    )


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    password: Password = Field(description="At least 10 characters; not a common password nor the username")
    role: Literal["enterprise", "driver", "regulator", "admin", "auditor"]
    display_name: str = Field(default="", max_length=100)
    organisation_id: uuid.UUID | None = None
    jurisdiction_adcode: int | None = None
    preferred_lang: Literal["zh-CN", "en"] = "zh-CN"


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    role: str
    organisation_id: uuid.UUID | None
    jurisdiction_adcode: int | None
    is_active: bool
    preferred_lang: str


class MePublic(UserPublic):
    organisation_roles: list[str]
    county_scope: list[int] | None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The full key; shown only once")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: Password = Field(description="At least 10 characters; not a common password nor the username")


class SecondFactorStart(BaseModel):
    secret: str = Field(description="Base32 secret, for typing into the app by hand")
    otpauth_uri: str = Field(description="otpauth:// URI, for the QR code authenticator apps scan")


class SecondFactorConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=6, max_length=8, description="The 6-digit code the app shows now")


class SecondFactorEnabled(TokenPublic):
    recovery_codes: list[str] = Field(description="Ten one-time codes for when the phone is lost; shown only once")


class SecondFactorDisable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password
