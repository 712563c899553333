"""The jobs, their intervals (settings), and the loop every worker runs.

Every worker ticks every ``scheduler_tick_seconds``; at each tick it tries to claim each due job
(``claims.claim``) and runs those it won. With N workers on M instances each job still runs once
per interval. An interval of 0 switches a job off.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from waste_tracker import clock
from waste_tracker.config import Settings
from waste_tracker.schedule import claims

log = logging.getLogger("waste_tracker.schedule")


async def _sweep(engine: AsyncEngine) -> str:
    from waste_tracker.db import unit_of_work
    from waste_tracker.rules.sweep import run_sweep

    async with unit_of_work(engine) as session:
        report = await run_sweep(session)
    return f"sweep: {report.rules} in {report.seconds:.2f} s" if report.ran else "sweep: another sweep was running"


async def _anchors(engine: AsyncEngine) -> str:
    from waste_tracker.manifest.anchors import anchor_finished_days

    done = await anchor_finished_days(engine)
    return f"anchored {len(done)} day(s)" + (f": {done[0]} .. {done[-1]}" if done else "")


async def _track_partitions(engine: AsyncEngine) -> str:
    from waste_tracker.db import unit_of_work
    from waste_tracker.track.service import ensure_partitions

    async with unit_of_work(engine) as session:
        made = await ensure_partitions(session)
    return f"track partitions: {made} made"


@dataclass(frozen=True)
class Job:
    name: str
    interval: Callable[[Settings], int]  # seconds; 0 = off
    run: Callable[[AsyncEngine], Awaitable[str]]


JOBS: tuple[Job, ...] = (
    Job("sweep", lambda s: s.sweep_interval_seconds, _sweep),
    Job("anchor_days", lambda s: s.anchor_interval_seconds, _anchors),
    Job("track_partitions", lambda s: s.track_partition_interval_seconds, _track_partitions),
)


def owner_name() -> str:
    """Who claimed a run (host and process), for the operators' record."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_due(engine: AsyncEngine, settings: Settings, owner: str | None = None) -> list[str]:
    """One tick: claim and run every due job; the names of those this caller ran."""
    ran = []
    owner = owner or owner_name()
    for job in JOBS:
        interval = job.interval(settings)
        if interval <= 0 or not await claims.claim(engine, job.name, interval, owner, clock.now()):
            continue
        try:
            outcome = await job.run(engine)
            log.info("%s: %s", job.name, outcome)
        except Exception as exc:  # noqa: BLE001 - the record says what failed; the next interval retries
            log.exception("scheduled job %s failed; it runs again at its next interval", job.name)
            outcome = f"failed: {type(exc).__name__}: {exc}"
        await claims.finish(engine, job.name, owner, clock.now(), outcome)
        ran.append(job.name)
    return ran


async def scheduler_loop(engine: AsyncEngine, settings: Settings) -> None:
    """What ``serve`` runs in every worker until shut down."""
    owner = owner_name()
    while True:
        try:
            await run_due(engine, settings, owner)
        except Exception:  # noqa: BLE001 - keep ticking through a database outage
            log.exception("scheduler tick failed; will retry")
        await asyncio.sleep(settings.scheduler_tick_seconds)
