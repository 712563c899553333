"""Claiming a due job: once per interval for the whole deployment.

``claim`` is one statement: ``UPDATE scheduled_job SET next_due = now + interval ... WHERE name =
:job AND next_due <= :now RETURNING``. Concurrent claimers queue on the row lock; the one that
waits re-reads the moved ``next_due`` (PostgreSQL re-checks the condition on the new row version
under READ COMMITTED) and gets nothing. The claim commits before the job runs, so a job that fails
is retried at its next interval, not by every other worker at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from waste_tracker.db import unit_of_work

_ENSURE = text(
    """INSERT INTO scheduled_job (name, interval_seconds, next_due) VALUES (:job, :interval, :now)
       ON CONFLICT (name) DO NOTHING"""
)
_CLAIM = text(
    """UPDATE scheduled_job
       SET next_due = :now + make_interval(secs => :interval), interval_seconds = :interval,
           last_started_at = :now, last_owner = :owner, runs = runs + 1
       WHERE name = :job AND next_due <= :now
       RETURNING runs"""
)
_FINISH = text(
    """UPDATE scheduled_job SET last_finished_at = :at, last_outcome = :outcome
       WHERE name = :job AND last_owner = :owner"""
)


async def claim(engine: AsyncEngine, job: str, interval_seconds: int, owner: str, now: datetime) -> bool:
    """True if this caller won the job's current interval (and must run it now)."""
    async with unit_of_work(engine) as session:
        await session.execute(_ENSURE, {"job": job, "interval": interval_seconds, "now": now})
        won = (await session.execute(_CLAIM, {"job": job, "interval": interval_seconds, "now": now, "owner": owner})).first()
    return won is not None


async def finish(engine: AsyncEngine, job: str, owner: str, at: datetime, outcome: str) -> None:
    """Record how the run ended (shown by ``waste-tracker jobs``, for operators)."""
    async with unit_of_work(engine) as session:
        await session.execute(_FINISH, {"job": job, "owner": owner, "at": at, "outcome": outcome[:2000]})
