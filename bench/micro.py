"""Micro-benchmarks and the machine's own baselines, in-process against the bench database.

- ``raw_commits``: single-row durable INSERT commits/s through psycopg (one connection, autocommit,
  ``synchronous_commit`` on: one WAL flush per row) — the baseline every throughput is compared with;
  also with 16 connections (group commit), for information.
- ``sweep``: every time-based rule over the whole database (``rules.sweep.run_sweep``), committed.
- ``verify``: chain verification of the whole log (``manifest.verify.verify_all``), events/s.
- ``labels``: QR label rendering (``manifest.labels.label_png``), first render and cached.
- ``bulk_submission``: draft + submit through the services, one transaction per manifest.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import psycopg

from bench.common import BenchDb
from waste_tracker import clock


def raw_commits(db: BenchDb, seconds: float = 3.0, connections: int = 1) -> dict[str, Any]:
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS bench")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench.raw_insert "
            "(id bigserial PRIMARY KEY, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
        fsync = conn.execute("SHOW fsync").fetchone()[0]
    counts = [0] * connections
    lat: list[list[float]] = [[] for _ in range(connections)]
    stop = time.perf_counter() + seconds

    def run(k: int) -> None:
        with psycopg.connect(db.conninfo, autocommit=True) as c:
            cur = c.cursor()
            while (t := time.perf_counter()) < stop:
                cur.execute("INSERT INTO bench.raw_insert (payload) VALUES (%s)", (f"raw {k} {counts[k]}",))
                lat[k].append(time.perf_counter() - t)
                counts[k] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(connections)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    dt = time.perf_counter() - t0
    all_lat = sorted(x for v in lat for x in v)
    return {
        "connections": connections,
        "commits": sum(counts),
        "commits_per_s": round(sum(counts) / dt, 1),
        "median_commit_ms": round(statistics.median(all_lat) * 1000, 3) if all_lat else None,
        "synchronous_commit": sync,
        "fsync": fsync,
    }


async def _sweep(db: BenchDb, runs: int) -> dict[str, Any]:
    from waste_tracker.db import make_async_engine, unit_of_work
    from waste_tracker.rules.sweep import run_sweep

    eng = make_async_engine(db.url, pool_size=1, max_overflow=0)
    out: list[dict[str, Any]] = []
    try:
        for _ in range(runs):
            t = time.perf_counter()
            async with unit_of_work(eng) as session:
                report = await run_sweep(session)
            out.append({"seconds": round(time.perf_counter() - t, 3), "rules": report.rules})
    finally:
        await eng.dispose()
    return {
        "runs": out,
        "seconds": min(r["seconds"] for r in out),
        "found": sum(v["found"] for v in out[-1]["rules"].values()),
    }


def sweep(db: BenchDb, runs: int = 2) -> dict[str, Any]:
    return asyncio.run(_sweep(db, runs))


async def _verify(db: BenchDb, workers: int | None) -> dict[str, Any]:
    from waste_tracker.db import make_async_engine
    from waste_tracker.manifest.verify import verify_all

    eng = make_async_engine(db.url, pool_size=1, max_overflow=0)
    try:
        async with eng.connect() as conn:
            t = time.perf_counter()
            report = await verify_all(conn, workers=workers)
            dt = time.perf_counter() - t
    finally:
        await eng.dispose()
    if workers is None:  # what verify_all chose: one process below PARALLEL_MIN_EVENTS, else one per CPU (max 4)
        from waste_tracker.manifest.verify import MAX_WORKERS, PARALLEL_MIN_EVENTS

        workers = 1 if report.events < PARALLEL_MIN_EVENTS else max(1, min(MAX_WORKERS, os.cpu_count() or 1))
    return {
        "workers": workers,
        "manifests": report.manifests,
        "events": report.events,
        "breaks": len(report.breaks),
        "seconds": round(dt, 2),
        "events_per_s": round(report.events / dt),
    }


def verify(db: BenchDb, workers: int | None = None) -> dict[str, Any]:
    return asyncio.run(_verify(db, workers))


def labels(n: int = 30) -> dict[str, Any]:
    from waste_tracker.manifest import labels as lab
    from waste_tracker.scan.tokens import make_token, scan_url

    lab.label_png("https://waste.example.gov.cn/scan?m=warm-up", "warm-up")  # the process's one-time font load
    lab.label_png.cache_clear()
    first: list[float] = []
    cached: list[float] = []
    for i in range(n):
        number = f"2026330400{i:04d}"
        url = scan_url("https://waste.example.gov.cn", number, make_token("bench", uuid.uuid4(), number))
        t = time.perf_counter()
        png = lab.label_png(url, number)
        first.append(time.perf_counter() - t)
        t = time.perf_counter()
        lab.label_png(url, number)
        cached.append(time.perf_counter() - t)
    first.sort()
    return {
        "renders": n,
        "png_bytes": len(png),
        "first_render_ms_median": round(statistics.median(first) * 1000, 2),
        "first_render_ms_max": round(first[-1] * 1000, 2),
        "cached_us_median": round(statistics.median(cached) * 1e6, 2),
    }


async def _bulk(db: BenchDb, n: int) -> dict[str, Any]:
    from sqlalchemy import select, text

    from waste_tracker.auth.service import principal_for
    from waste_tracker.config import Settings
    from waste_tracker.db import make_async_engine, unit_of_work
    from waste_tracker.manifest import service
    from waste_tracker.manifest.commands import Draft
    from waste_tracker.models import User

    eng = make_async_engine(db.url, pool_size=2, max_overflow=0)
    settings = Settings(env="test", database_url=db.url)
    try:
        async with unit_of_work(eng) as session:
            tpl = (
                await session.execute(
                    text(
                        """SELECT m.id, m.generator_org_id, m.generator_site_id, m.carrier_org_id, m.receiver_site_id,
                                  m.planned_method_code
                           FROM manifest m WHERE m.status = 'completed' ORDER BY m.created_at DESC LIMIT 1"""
                    )
                )
            ).one()
            lines = (
                await session.execute(
                    text(
                        "SELECT waste_code, physical_form, declared_kg, container_type, container_count FROM manifest_line "
                        "WHERE manifest_id = :m ORDER BY line_no"
                    ),
                    {"m": tpl[0]},
                )
            ).all()
            user = (
                (await session.execute(select(User).where(User.organisation_id == tpl[1], User.role == "enterprise")))
                .scalars()
                .first()
            )
            actor = await principal_for(session, user, settings)
        body = {
            "generator_site_id": tpl[2],
            "carrier_org_id": tpl[3],
            "receiver_site_id": tpl[4],
            "planned_method_code": tpl[5],
            "planned_pickup_date": clock.today() + timedelta(days=1),
            "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
            "emergency_contact": "王安全",
            "emergency_phone": "0573-82000000",
            "lines": [
                {"waste_code": c, "physical_form": f, "quantity": q, "unit": "kg", "container_type": ct, "container_count": cc}
                for c, f, q, ct, cc in lines
            ],
        }
        t = time.perf_counter()
        for _ in range(n):
            async with unit_of_work(eng) as session:
                m = await service.create_draft(session, actor, Draft.of(body))
                await service.submit(session, actor, m.id)
        dt = time.perf_counter() - t
    finally:
        await eng.dispose()
    return {
        "manifests": n,
        "seconds": round(dt, 2),
        "manifests_per_s": round(n / dt, 1),
        "ms_per_manifest": round(dt / n * 1000, 2),
    }


def bulk_submission(db: BenchDb, n: int = 100) -> dict[str, Any]:
    return asyncio.run(_bulk(db, n))


def rollup_check(db: BenchDb) -> dict[str, Any]:
    """The maintained roll-ups, kept by their triggers through every scenario, against a fresh
    aggregate of the manifests: the rows that differ (must be 0)."""
    from waste_tracker.stats.rollup import DAY, KEY_COLUMNS, TONNAGE_KG, YEAR

    checks = {
        "flow_daily": (
            f"""SELECT {DAY.format(m="m")} AS day, {KEY_COLUMNS}, count(*)::int AS manifests,
                       sum({TONNAGE_KG.format(m="m")})::numeric(18, 3) AS tonnage_kg
                FROM manifest m WHERE m.picked_up_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6""",
            f"SELECT day, {KEY_COLUMNS}, manifests, tonnage_kg FROM flow_daily WHERE manifests <> 0 OR tonnage_kg <> 0",
        ),
        "licence_year_received": (
            f"""SELECT m.licence_id, {YEAR.format(m="m")} AS year, count(*)::int AS manifests,
                       COALESCE(sum(m.received_kg), 0)::numeric(18, 3) AS received_kg,
                       COALESCE(sum(COALESCE(m.accepted_kg, m.received_kg)), 0)::numeric(18, 3) AS accepted_kg
                FROM manifest m WHERE m.licence_id IS NOT NULL AND m.received_at IS NOT NULL GROUP BY 1, 2""",
            "SELECT licence_id, year, manifests, received_kg, accepted_kg FROM licence_year_received"
            " WHERE manifests <> 0 OR received_kg <> 0",
        ),
    }
    out: dict[str, Any] = {"differing_rows": 0}
    with psycopg.connect(db.conninfo) as conn:
        t = time.perf_counter()
        for table, (fresh, kept) in checks.items():
            diff = sum(
                conn.execute(f"SELECT count(*) FROM (({a}) EXCEPT ({b})) d").fetchone()[0]
                for a, b in ((fresh, kept), (kept, fresh))
            )
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            out[table] = {"rows": rows, "differing_rows": diff}
            out["differing_rows"] += diff
        out["check_seconds"] = round(time.perf_counter() - t, 2)
    return out


def flows_at_scale(db: BenchDb, manifests: int = 10_000_000, years: int = 10, runs: int = 15) -> dict[str, Any]:
    """The flows map at a volume we do not generate row by row: a separate database with the full
    schema and a ``flow_daily`` as ``manifests`` pickups over ``years`` years would leave it — one
    row per day and (kind, generator county, receiver county) pair that moved anything that day,
    over every county of the bundled boundaries (a province and its neighbours), each generator
    county sending to its own county and to five others. The query timed is the application's
    (``stats.service.flows``), for one year, as the city regulator and as an administrator."""
    import random

    from waste_tracker import localdb
    from waste_tracker.migrate import upgrade

    name = f"{db.name}_flows"
    localdb.drop_database(db.cluster, name)
    localdb.create_database(db.cluster, name)
    scratch = BenchDb(db.cluster, name)
    try:
        upgrade(scratch.url)
        asyncio.run(_reference_only(scratch))
        with psycopg.connect(scratch.conninfo) as conn:
            counties = [
                (c, p)
                for c, p in conn.execute("SELECT adcode, parent_adcode FROM jurisdiction WHERE level = 'county' ORDER BY 1")
            ]
            rng = random.Random(7)
            pairs = []
            for c, city in counties:
                same_city = [x for x in counties if x[1] == city and x[0] != c]
                for r, rcity in [(c, city), *rng.sample(same_city, k=min(5, len(same_city)))]:
                    pairs.append(("hazardous", c, r, city, rcity))
                pairs.append(("general", c, c, city, city))
            per_day = manifests / (years * 365)
            t = time.perf_counter()
            with conn.cursor().copy(
                "COPY flow_daily (day, kind, generator_county, receiver_county, generator_city, receiver_city, "
                "manifests, tonnage_kg) FROM STDIN"
            ) as cp:
                start = clock.today() - timedelta(days=years * 365)
                for d in range(years * 365):
                    day = start + timedelta(days=d)
                    for kind, g, r, gc, rc in pairs:
                        n = max(0, round(rng.expovariate(len(pairs) / per_day)))
                        if n:
                            cp.write_row((day, kind, g, r, gc, rc, n, n * rng.randint(800, 5000)))
            conn.commit()
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE flow_daily")
            rows = conn.execute("SELECT count(*), sum(manifests) FROM flow_daily").fetchone()
            build_s = time.perf_counter() - t
        out = asyncio.run(_time_flows(scratch, runs))
        return {"manifests_represented": int(rows[1]), "rollup_rows": rows[0], "build_s": round(build_s, 1), **out}
    finally:
        localdb.drop_database(db.cluster, name)


async def _reference_only(db: BenchDb) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    from waste_tracker.db import make_async_engine
    from waste_tracker.geo.boundaries import bundled_files, load_files
    from waste_tracker.registry.jurisdictions import upsert_boundaries

    eng = make_async_engine(db.url, pool_size=1, max_overflow=0)
    try:
        async with eng.begin() as conn:
            await upsert_boundaries(AsyncSession(bind=conn), load_files(bundled_files()), "bench")
    finally:
        await eng.dispose()


async def _time_flows(db: BenchDb, runs: int) -> dict[str, Any]:
    from waste_tracker.auth.principal import Principal
    from waste_tracker.db import make_async_engine, session_factory
    from waste_tracker.registry.jurisdictions import counties_under
    from waste_tracker.stats.service import flows

    eng = make_async_engine(db.url, pool_size=1, max_overflow=0)
    out: dict[str, Any] = {}
    try:
        async with session_factory(eng)() as s:
            today = clock.today()
            city = Principal(
                user_id=uuid.uuid4(),
                username="bench-city",
                role="regulator",
                jurisdiction_adcode=330400,
                jurisdiction_level="city",
                county_scope=await counties_under(s, 330400),
            )
            admin = Principal(user_id=uuid.uuid4(), username="bench-admin", role="admin")
            for label, who in (("city_regulator", city), ("province_admin", admin)):
                times = []
                for _ in range(runs):
                    t = time.perf_counter()
                    res = await flows(s, who, today - timedelta(days=365), today)
                    times.append(time.perf_counter() - t)
                times.sort()
                out[label] = {
                    "pairs_returned": len(res),
                    "p50_ms": round(times[len(times) // 2] * 1000, 1),
                    "max_ms": round(times[-1] * 1000, 1),
                }
    finally:
        await eng.dispose()
    return out
