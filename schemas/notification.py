"""Notification wire models: the caller's notifications and what to mark read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal[
    "manifest_incoming",
    "manifest_delivered",
    "manifest_to_carry",
    "return_to_carry",
    "manifest_rejected",
    "manifest_partial",
    "alert_assigned",
]


class LocalText(BaseModel):
    """The same text in both languages."""

    model_config = ConfigDict(populate_by_name=True)

    zh_CN: str = Field(alias="zh-CN", serialization_alias="zh-CN")
    en: str


class NotificationPublic(BaseModel):
    id: str = Field(description="Stable: kind, then the manifest and its event, or the alert and its assignment")
    kind: Kind
    at: datetime = Field(description="When what it tells of happened")
    unread: bool
    link: str = Field(description="The page it is about: /m/{manifest_id} or /reg/alerts/{alert_id}")
    title: LocalText = Field(description="The manifest's number, or the alert's title")
    text: LocalText
    manifest_id: uuid.UUID | None
    manifest_number: str | None
    alert_id: int | None


class NotificationsPublic(BaseModel):
    items: list[NotificationPublic] = Field(description="Newest first; the last 30 days")
    unread: int = Field(description="How many of the last 30 days' notifications are unread (all of them, not only those listed)")


class NotificationsRead(BaseModel):
    """Either ``all`` (everything so far) or the ``ids`` of the notifications read."""

    model_config = ConfigDict(extra="forbid")

    all: bool = False
    ids: list[Annotated[str, Field(min_length=1, max_length=96)]] = Field(default_factory=list, max_length=200)


class UnreadCount(BaseModel):
    unread: int
