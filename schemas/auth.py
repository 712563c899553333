"""Auth wire models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    role: str


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    password: str = Field(min_length=8, max_length=200)
    role: Literal["enterprise", "driver", "regulator", "admin"]
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
