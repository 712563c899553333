"""Recompute hash chains from the database and report the first broken link."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from waste_tracker.manifest.chain import Break, verify_events

EVENT_COLUMNS = """manifest_id, seq, type, actor_user_id, actor_org_id, server_time, device_time,
    ST_X(location) AS lon, ST_Y(location) AS lat, accuracy_m, vehicle_plate, payload, prev_hash, hash"""


def as_event(row: Mapping[str, Any]) -> dict[str, Any]:
    e = dict(row)
    e["location"] = (e.pop("lon"), e.pop("lat")) if e.get("lon") is not None else None
    e.pop("lon", None)
    e.pop("lat", None)
    return e


@dataclass
class VerifyReport:
    manifests: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


async def verify_manifest(session: AsyncSession, manifest_id: uuid.UUID) -> tuple[int, Break | None]:
    rows = (
        (
            await session.execute(
                text(f"SELECT {EVENT_COLUMNS} FROM manifest_event WHERE manifest_id = :m ORDER BY seq"),
                {"m": manifest_id},
            )
        )
        .mappings()
        .all()
    )
    n, brk = verify_events(as_event(r) for r in rows)
    if brk is None:
        # The cached head must match the chain's last hash (a rewritten tail would not).
        head = (await session.execute(text("SELECT last_hash, version FROM manifest WHERE id = :m"), {"m": manifest_id})).first()
        if head is not None and rows and (head[0] != rows[-1]["hash"] or head[1] != rows[-1]["seq"]):
            brk = Break(str(manifest_id), rows[-1]["seq"], "head_mismatch", head[0], rows[-1]["hash"])
    return n, brk


async def _grouped(conn: AsyncConnection) -> AsyncIterator[list[dict[str, Any]]]:
    result = await conn.stream(
        text(f"SELECT {EVENT_COLUMNS} FROM manifest_event ORDER BY manifest_id, seq"),
        execution_options={"yield_per": 5000},
    )
    current: list[dict[str, Any]] = []
    async for row in result.mappings():
        if current and row["manifest_id"] != current[0]["manifest_id"]:
            yield current
            current = []
        current.append(as_event(row))
    if current:
        yield current


async def verify_all(conn: AsyncConnection, stop_at_first: bool = False) -> VerifyReport:
    """Stream every event once, in (manifest, seq) order, checking each chain; then check that
    every manifest's cached head (last hash, version) matches its chain's last event, so a chain
    whose tail was deleted is caught too."""
    report = VerifyReport()
    async for events in _grouped(conn):
        report.manifests += 1
        n, brk = verify_events(events)
        report.events += n
        if brk is not None:
            report.breaks.append(brk)
            if stop_at_first:
                return report
    heads = await conn.execute(
        text(
            """SELECT m.id, m.version, m.last_hash, e.seq, e.hash FROM manifest m
           LEFT JOIN LATERAL (SELECT seq, hash FROM manifest_event WHERE manifest_id = m.id
                              ORDER BY seq DESC LIMIT 1) e ON true
           WHERE m.version <> COALESCE(e.seq, 0) OR m.last_hash <> COALESCE(e.hash, repeat('0', 64))"""
        )
    )
    broken = {b.manifest_id for b in report.breaks}
    for mid, version, last_hash, seq, h in heads.all():
        if str(mid) not in broken:
            report.breaks.append(Break(str(mid), seq or 0, "head_mismatch", f"{version}:{last_hash}", f"{seq}:{h}"))
    return report
