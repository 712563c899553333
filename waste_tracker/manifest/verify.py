"""Recompute hash chains from the database and report the first broken link."""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from psycopg.rows import dict_row
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from waste_tracker.manifest import projection
from waste_tracker.manifest.chain import Break, verify_events
from waste_tracker.manifest.queries import located_events


def as_event(row: Mapping[str, Any]) -> dict[str, Any]:
    e = dict(row)
    e["location"] = (e.pop("lon"), e.pop("lat")) if e.get("lon") is not None else None
    e.pop("lon", None)
    e.pop("lat", None)
    return e


@dataclass(frozen=True)
class SerialGap:
    """A national number that was issued (the prefecture's counter passed it) but that no
    submitted event carries: a submission erased, or its number rewritten."""

    prefecture: str
    year: int
    serial: int

    @property
    def number(self) -> str:
        return f"{self.year:04d}{self.prefecture}{self.serial:06d}"


@dataclass
class VerifyReport:
    manifests: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)
    serial_gaps: list[SerialGap] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.serial_gaps


@dataclass
class ManifestCheck:
    """One manifest's verification: its chain, its payloads, and its stored row and lines against
    the replay. ``ok`` is what a page may call "record intact"."""

    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def check_chain(events: list[dict[str, Any]], stored: Mapping[str, Any] | None, *, payload_checked: bool) -> ManifestCheck:
    """The hash chain of one manifest's events, then (if it holds) the stored projection against
    the replayed one. ``stored``: the row of ``projection.STORED_SQL`` (None: no manifest row)."""
    n, brk = verify_events(events, payload_checked=payload_checked)
    if brk is not None:
        return ManifestCheck(n, [brk])
    mid = str(events[0]["manifest_id"]) if events else ""
    try:
        replay = projection.replayed(events)
    except projection.InvalidPayload as exc:
        return ManifestCheck(n, [Break(mid, exc.seq, "invalid_payload", None, exc.reason)])
    if stored is None:
        return ManifestCheck(n, [Break(mid, n, "head_mismatch", None, "no manifest row")])
    return ManifestCheck(n, projection.compare(mid, replay, stored, projection.stored_lines(stored["lines"])))


async def verify_manifest(session: AsyncSession, manifest_id: uuid.UUID) -> ManifestCheck:
    rows = [as_event(asdict(e)) for e in await located_events(session, manifest_id)]
    found = (await session.execute(text(projection.STORED_SQL.format(ids=":ids")), {"ids": [manifest_id]})).mappings().first()
    stored = dict(found) if found is not None else None
    if not rows:
        return ManifestCheck(0, [Break(str(manifest_id), 0, "head_mismatch", None, "no events")] if stored else [])
    return check_chain(rows, stored, payload_checked=False)


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


def _parse_payload(text_value: str) -> tuple[Any, str | None]:
    """The stored payload, or the reason it cannot be a payload the service wrote."""
    try:
        return _load_payload(text_value), None
    except (TypeError, ValueError) as exc:
        return None, str(exc)


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
            value, error = _parse_payload(payload)
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
                    "payload": value,
                    "payload_error": error,
                    "prev_hash": prev,
                    "hash": h,
                }
            )
        return done

    def flush(self) -> list[list[dict[str, Any]]]:
        done = [self.current] if self.current else []
        self.current = []
        return done


def _check_groups(groups: list[list[dict[str, Any]]], stored_rows: Sequence[Mapping[str, Any]], report: VerifyReport) -> bool:
    """Check a batch of chains against their stored projections; False if a break was found."""
    stored = {r["id"]: r for r in stored_rows}
    clean = True
    for events in groups:
        check = check_chain(events, stored.get(events[0]["manifest_id"]), payload_checked=True)
        report.manifests += 1
        report.events += check.events
        report.breaks.extend(check.breaks)
        clean = clean and check.ok
    return clean


_STORED_PG = projection.STORED_SQL.format(ids="%(ids)s")


async def _grouped(conn: AsyncConnection, report: VerifyReport, stop_at_first: bool) -> None:
    """Every event once, in (manifest, seq) order, grouped by manifest, each batch of chains
    checked with its stored rows. Streams with a server-side cursor on the underlying psycopg
    connection, in batches (one await per batch, not per row)."""
    raw: Any = (await conn.get_raw_connection()).driver_connection  # psycopg's AsyncConnection
    g = _Grouper()
    async with raw.cursor(name="wt_verify_all") as cur:
        await cur.execute(_STREAM_SQL.format(where="true"))
        while True:
            rows = await cur.fetchmany(_BATCH)
            groups = g.feed(rows) if rows else g.flush()
            if groups:
                ids = [events[0]["manifest_id"] for events in groups]
                stored = await (await raw.cursor(row_factory=dict_row).execute(_STORED_PG, {"ids": ids})).fetchall()
                if not _check_groups(groups, stored, report) and stop_at_first:
                    return
            if not rows:
                return


def _verify_range(conninfo: str, snapshot: str, lo: str | None, hi: str | None) -> VerifyReport:
    """One worker process: the chains of manifests with lo <= id < hi, in the exported snapshot."""
    import psycopg
    from psycopg import sql

    report = VerifyReport()
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
                if groups:
                    ids = [events[0]["manifest_id"] for events in groups]
                    stored = pg.cursor(row_factory=dict_row).execute(_STORED_PG, {"ids": ids}).fetchall()
                    _check_groups(groups, stored, report)
                if not rows:
                    break
    return report


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
    for part in parts:
        report.manifests += part.manifests
        report.events += part.events
        report.breaks.extend(part.breaks)
    return report


async def _default_workers(conn: AsyncConnection) -> int:
    estimate = (await conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'manifest_event'::regclass"))).scalar()
    if not estimate or estimate < PARALLEL_MIN_EVENTS:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


async def verify_all(conn: AsyncConnection, stop_at_first: bool = False, workers: int | None = None) -> VerifyReport:
    """Stream every event once, in (manifest, seq) order, checking each chain, its payloads and
    the stored manifest row and lines against the replay (see ``check_chain``); then the manifests
    that have no events at all, and the national serials (``serial_gaps``).

    Chains are independent, so a large log is checked by ``workers`` processes (default: one per
    CPU, up to 4, when there are more than ``PARALLEL_MIN_EVENTS`` events), each on a range of
    manifest ids, all in one snapshot. Breaks are reported in the same order either way."""
    if workers is None:
        workers = 1 if stop_at_first else await _default_workers(conn)
    if workers > 1 and not stop_at_first:
        report = await _parallel_chains(conn, workers)
    else:
        report = VerifyReport()
        await _grouped(conn, report, stop_at_first)
        if stop_at_first and report.breaks:
            return report
    orphans = await conn.execute(
        text(
            """SELECT m.id FROM manifest m
           WHERE NOT EXISTS (SELECT 1 FROM manifest_event e WHERE e.manifest_id = m.id) ORDER BY m.id"""
        )
    )
    for (mid,) in orphans.all():
        report.breaks.append(Break(str(mid), 0, "head_mismatch", None, "no events"))
    report.serial_gaps = await serial_gaps(conn)
    return report


_SERIAL_GAPS_SQL = text(
    """WITH issued AS (
        SELECT substr(payload->>'number', 5, 4) AS prefecture, substr(payload->>'number', 1, 4)::int AS year,
               substr(payload->>'number', 9)::int AS serial
        FROM manifest_event
        WHERE type = 'submitted' AND payload->>'number' ~ '^[0-9]{14}$')
    SELECT s.prefecture, s.year, n.serial
    FROM manifest_serial s CROSS JOIN LATERAL generate_series(1, s.last_serial) AS n(serial)
    WHERE NOT EXISTS (SELECT 1 FROM issued i WHERE i.prefecture = s.prefecture AND i.year = s.year AND i.serial = n.serial)
    ORDER BY s.prefecture, s.year, n.serial"""
)


async def serial_gaps(conn: AsyncConnection | AsyncSession) -> list[SerialGap]:
    """Every serial up to each prefecture's counter that no submitted event carries. Serials are
    gap-free by construction (numbering.py): a gap means a submission was erased."""
    return [SerialGap(p, y, n) for p, y, n in (await conn.execute(_SERIAL_GAPS_SQL)).all()]
