"""What each user has read of their notifications. The notifications themselves are not stored:
they are a projection of the manifests' events and the alerts' history (see
``waste_tracker.notification``). Both tables are the user's own state, written insert-only:
marking read never touches the evidence, and marking again changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, PrimaryKeyConstraint, String
from sqlmodel import Field, SQLModel

from waste_tracker.models.base import created_at_field, tz_column


class NotificationRead(SQLModel, table=True):
    """One notification a user has read (its projection id, e.g. ``manifest_incoming:<uuid>:2``)."""

    __tablename__ = "notification_read"
    __table_args__ = (PrimaryKeyConstraint("user_id", "item_id", name="pk_notification_read"),)

    user_id: uuid.UUID = Field(sa_column=Column(ForeignKey("app_user.id"), nullable=False))
    item_id: str = Field(sa_column=Column(String(96), nullable=False))
    read_at: datetime = created_at_field()


class NotificationReadAll(SQLModel, table=True):
    """ "Everything up to ``up_to`` is read": one row per "mark all read"; the latest one counts."""

    __tablename__ = "notification_read_all"
    __table_args__ = (PrimaryKeyConstraint("user_id", "up_to", name="pk_notification_read_all"),)

    user_id: uuid.UUID = Field(sa_column=Column(ForeignKey("app_user.id"), nullable=False))
    up_to: datetime = Field(sa_column=tz_column(nullable=False))
    read_at: datetime = created_at_field()
