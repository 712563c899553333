"""Recompute hash chains from the database and report the first broken link."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from waste_tracker.manifest.chain import Break, verify_events
from waste_tracker.manifest.queries import located_events


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
    rows = [asdict(e) for e in await located_events(session, manifest_id)]
    n, brk = verify_events(as_event(r) for r in rows)
    if brk is None:
        # The cached head must match the chain's last hash (a rewritten tail would not).
        head = (await session.execute(text("SELECT last_hash, version FROM manifest WHERE id = :m"), {"m": manifest_id})).first()
        if head is not None and rows and (head[0] != rows[-1]["hash"] or head[1] != rows[-1]["seq"]):
            brk = Break(str(manifest_id), rows[-1]["seq"], "head_mismatch", head[0], rows[-1]["hash"])
    return n, brk


# The columns for streaming every chain; the payload as text, parsed here with floats refused, so
# the canonical form can skip its own walk over the payload.
_STREAM_COLUMNS = """manifest_id, seq, type, actor_user_id, actor_org_id, server_time, device_time,
    ST_X(location), ST_Y(location), accuracy_m, vehicle_plate, payload::text, prev_hash, hash"""
_STREAM_SQL = f"SELECT {_STREAM_COLUMNS} FROM manifest_event WHERE {{where}} ORDER BY manifest_id, seq"
_BATCH = 10_000
PARALLEL_MIN_EVENTS = 300_000  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 4


def _refuse_float(literal: str) -> NoReturn:
    raise TypeError(f"payload: floats are not allowed in event payloads (use decimal strings): {literal}")


_load_payload = json.JSONDecoder(parse_float=_refuse_float).decode


class _Grouper:
    """Rows in (manifest, seq) order -> lists of one manifest's events."""

    def __init__(self) -> None:
        self.current: list[dict[str, Any]] = []
        self.current_id: Any = None

    def feed(self, rows: list[tuple[Any, ...]]) -> list[list[dict[str, Any]]]:
        done = []
        for mid, seq, type_, au, ao, st, dt, lon, lat, acc, plate, payload, prev, h in rows:
            if mid != self.current_id:
                if self.current:
                    done.append(self.current)
                self.current, self.current_id = [], mid
            self.current.append(
                {
                    "manifest_id": mid,
                    "seq": seq,
                    "type": type_,
                    "actor_user_id": au,
                    "actor_org_id": ao,
                    "server_time": st,
                    "device_time": dt,
                    "location": (lon, lat) if lon is not None else None,
                    "accuracy_m": acc,
                    "vehicle_plate": plate,
                    "payload": _load_payload(payload),
                    "prev_hash": prev,
                    "hash": h,
                }
            )
        return done

    def flush(self) -> list[list[dict[str, Any]]]:
        done = [self.current] if self.current else []
        self.current = []
        return done


async def _grouped(conn: AsyncConnection) -> AsyncIterator[list[dict[str, Any]]]:
    """Every event once, in (manifest, seq) order, grouped by manifest. Streams with a server-side
    cursor on the underlying psycopg connection, in batches (one await per batch, not per row)."""
    raw: Any = (await conn.get_raw_connection()).driver_connection  # psycopg's AsyncConnection
    g = _Grouper()
    async with raw.cursor(name="wt_verify_all") as cur:
        await cur.execute(_STREAM_SQL.format(where="true"))
        while rows := await cur.fetchmany(_BATCH):
            for events in g.feed(rows):
                yield events
    for events in g.flush():
        yield events


def _verify_range(conninfo: str, snapshot: str, lo: str | None, hi: str | None) -> tuple[int, int, list[Break]]:
    """One worker process: the chains of manifests with lo <= id < hi, in the exported snapshot."""
    import psycopg
    from psycopg import sql

    manifests = events_n = 0
    breaks: list[Break] = []
    with psycopg.connect(conninfo) as pg:
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        pg.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        where = " AND ".join(
            [c for c, v in (("manifest_id >= %(lo)s", lo), ("manifest_id < %(hi)s", hi)) if v is not None] or ["true"]
        )
        g = _Grouper()
        with pg.cursor(name="wt_verify_range") as cur:
            cur.execute(_STREAM_SQL.format(where=where), {"lo": lo, "hi": hi})
            while True:
                rows = cur.fetchmany(_BATCH)
                groups = g.feed(rows) if rows else g.flush()
                for chain_events in groups:
                    manifests += 1
                    n, brk = verify_events(chain_events, payload_checked=True)
                    events_n += n
                    if brk is not None:
                        breaks.append(brk)
                if not rows:
                    break
    return manifests, events_n, breaks


async def _parallel_chains(conn: AsyncConnection, workers: int) -> VerifyReport:
    """Split the manifests into ``workers`` ranges of ids and check them in as many processes, all
    reading one exported snapshot (so the result is what a single pass would have seen)."""
    import asyncio
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    raw: Any = (await conn.get_raw_connection()).driver_connection  # psycopg's AsyncConnection
    snapshot = (await (await raw.execute("SELECT pg_export_snapshot()")).fetchone())[0]
    total = (await (await raw.execute("SELECT count(*) FROM manifest")).fetchone())[0]
    bounds: list[str | None] = [None]
    for k in range(1, workers):
        row = await (
            await raw.execute("SELECT id::text FROM manifest ORDER BY id OFFSET %s LIMIT 1", (total * k // workers,))
        ).fetchone()
        if row is not None and row[0] != bounds[-1]:
            bounds.append(row[0])
    bounds.append(None)
    conninfo = conn.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    loop = asyncio.get_running_loop()
    report = VerifyReport()
    # fork: the workers need nothing but this module, and spawn would re-run the caller's __main__
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=len(bounds) - 1, mp_context=multiprocessing.get_context(method)) as pool:
        parts = await asyncio.gather(
            *(loop.run_in_executor(pool, _verify_range, conninfo, snapshot, lo, hi) for lo, hi in itertools.pairwise(bounds))
        )
    for manifests, events_n, breaks in parts:
        report.manifests += manifests
        report.events += events_n
        report.breaks.extend(breaks)
    return report


async def _default_workers(conn: AsyncConnection) -> int:
    estimate = (await conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'manifest_event'::regclass"))).scalar()
    if not estimate or estimate < PARALLEL_MIN_EVENTS:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


async def verify_all(conn: AsyncConnection, stop_at_first: bool = False, workers: int | None = None) -> VerifyReport:
    """Stream every event once, in (manifest, seq) order, checking each chain; then check that
    every manifest's cached head (last hash, version) matches its chain's last event, so a chain
    whose tail was deleted is caught too.

    Chains are independent, so a large log is checked by ``workers`` processes (default: one per
    CPU, up to 4, when there are more than ``PARALLEL_MIN_EVENTS`` events), each on a range of
    manifest ids, all in one snapshot. Breaks are reported in the same order either way."""
    if workers is None:
        workers = 1 if stop_at_first else await _default_workers(conn)
    if workers > 1 and not stop_at_first:
        report = await _parallel_chains(conn, workers)
    else:
        report = VerifyReport()
        async for events in _grouped(conn):
            report.manifests += 1
            n, brk = verify_events(events, payload_checked=True)
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
