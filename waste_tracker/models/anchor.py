"""Daily anchors: a Merkle root over one day's event hashes, recorded append-only, so that a later
rewrite of whole chains is detectable against a root that was published (or sent elsewhere)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, Integer, String, Text
from sqlmodel import Field, SQLModel

from waste_tracker.models.base import created_at_column


class Anchor(SQLModel, table=True):
    __tablename__ = "anchor"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    merkle_root: str = Field(sa_column=Column(String(64), nullable=False))
    event_count: int = Field(sa_column=Column(Integer, nullable=False))
    algorithm: str = Field(default="sha256-merkle-v1", sa_column=Column(String(32), nullable=False))
    created_at: datetime = Field(sa_column=created_at_column())
    created_by: uuid.UUID | None = Field(default=None, foreign_key="app_user.id")
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
