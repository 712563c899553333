"""Shared metadata with a constraint naming convention, so migrations name things stably."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field, SQLModel

from waste_tracker import clock

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def created_at_column() -> Column[datetime]:
    # The service's clock on every ORM insert (so tests that move the clock see consistent rows); the
    # database's now() only for rows written by plain SQL.
    return Column(DateTime(timezone=True), nullable=False, default=clock.now, server_default=func.now())


def created_at_field() -> Any:
    """A model field on ``created_at_column``. Its Python default is None, so a row is built without
    it (and type checkers do not ask for it); the ORM leaves a None out of the INSERT, so the
    column's default sets it."""
    return Field(default=None, sa_column=created_at_column())


def tz_column(nullable: bool = True) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)
