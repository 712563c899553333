"""The deployment's scheduled jobs: one row per job, claimed by whichever process gets there first.

Every worker of every instance ticks; a tick claims a due job with one ``UPDATE ... WHERE next_due
<= now RETURNING`` (the row lock queues concurrent claimers, and the one that waits re-reads the
moved ``next_due`` and claims nothing), so a job runs once per interval for the whole deployment.
This is operational state, not evidence: it is updated in place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, Text
from sqlmodel import Field, SQLModel

from waste_tracker.models.base import tz_column


class ScheduledJob(SQLModel, table=True):
    __tablename__ = "scheduled_job"

    name: str = Field(sa_column=Column(String(40), primary_key=True))
    interval_seconds: int = Field(sa_column=Column(Integer, nullable=False))
    next_due: datetime = Field(sa_column=tz_column(nullable=False))
    last_started_at: datetime | None = Field(default=None, sa_column=tz_column())
    last_finished_at: datetime | None = Field(default=None, sa_column=tz_column())
    last_owner: str | None = Field(default=None, sa_column=Column(Text))
    last_outcome: str | None = Field(default=None, sa_column=Column(Text))
    runs: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
