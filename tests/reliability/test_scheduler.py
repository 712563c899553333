"""One scheduler for the deployment (issue #10 items 3 and 10): each job runs once per interval
however many workers claim it; `serve` anchors every finished Shanghai day, catching up missed
ones; the roots are published without an account and a kept copy is checked against the database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import as_admin
from tests.manifest.conftest import World, build_world
from tests.reliability.conftest import Server, free_port, server_env
from waste_tracker import clock
from waste_tracker.config import PROJECT_ROOT, Settings
from waste_tracker.manifest.anchors import anchor_finished_days, compare_with_copy, published, unanchored_days
from waste_tracker.schedule import claims
from waste_tracker.schedule.jobs import run_due

NOON = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


async def _manifests_on(engine: AsyncEngine, days: list[datetime]) -> World:
    """A committed world with one submitted manifest created at each instant of ``days``."""
    from waste_tracker.auth.service import principal_for
    from waste_tracker.manifest import service
    from waste_tracker.manifest.commands import Draft

    async with AsyncSession(engine, expire_on_commit=False) as s:
        w = await build_world(s)
        actor = await principal_for(s, w.gen_user, Settings(env="test"))
        for at in days:
            body = w.body() | {
                "planned_pickup_date": clock.local_date(at),
                "generator_site_id": w.gen_site.id,
                "carrier_org_id": w.carrier.id,
                "receiver_site_id": w.rcv_site.id,
            }
            with clock.frozen(at):
                m = await service.create_draft(s, actor, Draft.of(body))
                await service.submit(s, actor, m.id)
        await s.commit()
    return w


async def test_a_claim_is_won_once_per_interval_by_one_of_many(committed: AsyncEngine) -> None:
    async def claim(owner: str, at: datetime) -> bool:
        return await claims.claim(committed, "sweep", 300, owner, at)

    won = await asyncio.gather(*(claim(f"worker-{i}", NOON) for i in range(8)))
    assert sum(won) == 1
    assert not any(await asyncio.gather(*(claim(f"worker-{i}", NOON + timedelta(seconds=299)) for i in range(8))))
    assert sum(await asyncio.gather(*(claim(f"worker-{i}", NOON + timedelta(seconds=300)) for i in range(8)))) == 1
    async with committed.connect() as conn:
        runs, due = (await conn.execute(text("SELECT runs, next_due FROM scheduled_job WHERE name = 'sweep'"))).one()
    assert (runs, due) == (2, NOON + timedelta(seconds=600))


async def test_many_workers_run_each_job_once_and_anchors_catch_up(committed: AsyncEngine) -> None:
    three_days_ago = NOON - timedelta(days=3)
    await _manifests_on(committed, [three_days_ago, NOON - timedelta(days=1), NOON])
    settings = Settings(env="test", sweep_interval_seconds=300, anchor_interval_seconds=600, track_partition_interval_seconds=0)
    with clock.frozen(NOON) as fixed:
        ran = await asyncio.gather(*(run_due(committed, settings, owner=f"w{i}") for i in range(4)))
        assert sorted(name for names in ran for name in names) == ["anchor_days", "sweep"]
        async with committed.connect() as conn:
            days = [(a.day, a.event_count) for a in await published(conn)]
            jobs = dict((await conn.execute(text("SELECT name, runs FROM scheduled_job"))).all())
            outcome = (await conn.execute(text("SELECT last_outcome FROM scheduled_job WHERE name = 'anchor_days'"))).scalar()
        # every finished day from the first event's, the empty one included; not today
        d0 = clock.local_date(three_days_ago)
        assert days == [(d0, 2), (d0 + timedelta(days=1), 0), (d0 + timedelta(days=2), 2)]
        assert jobs == {"sweep": 1, "anchor_days": 1}
        assert outcome.startswith("anchored 3 day(s)")
        # Two minutes later nothing is due; ten minutes later both run again, with no day to anchor.
        fixed.set(NOON + timedelta(seconds=120))
        assert await run_due(committed, settings, owner="w0") == []
        fixed.set(NOON + timedelta(seconds=600))
        assert await run_due(committed, settings, owner="w0") == ["sweep", "anchor_days"]
        async with committed.connect() as conn:
            outcome = (await conn.execute(text("SELECT last_outcome FROM scheduled_job WHERE name = 'anchor_days'"))).scalar()
        assert outcome == "anchored 0 day(s)"
    # After midnight the day that just ended is anchored by the next run.
    with clock.frozen(NOON + timedelta(hours=12, minutes=5)):
        assert await run_due(committed, settings, owner="w1") == ["sweep", "anchor_days"]
        async with committed.connect() as conn:
            assert (await published(conn))[-1].day == clock.local_date(NOON)
            assert await unanchored_days(conn) == []
        assert await anchor_finished_days(committed) == []


async def test_serve_anchors_finished_days_once_with_two_workers(committed: AsyncEngine, db_url: str) -> None:
    now = clock.now()
    await _manifests_on(committed, [now - timedelta(days=2), now - timedelta(days=1)])
    port = free_port()
    env = server_env(db_url, port) | {
        "WASTE_TRACKER_ANCHOR_INTERVAL_SECONDS": "3600",
        "WASTE_TRACKER_SCHEDULER_TICK_SECONDS": "0.2",
    }
    server = Server(url=f"http://127.0.0.1:{port}", port=port, env=env)
    server.start(workers=2)
    try:
        deadline = time.monotonic() + 30
        body: dict = {}
        while time.monotonic() < deadline:
            body = httpx.get(f"{server.url}/public/anchors", timeout=5).json()  # no account needed
            if len(body["anchors"]) >= 2:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # both workers have ticked several times by now
    finally:
        server.stop()
    assert [a["event_count"] for a in body["anchors"]][-2:] == [2, 2], body
    assert body["algorithm"] == "sha256-merkle-v1" and body["timezone"] == "Asia/Shanghai"
    chain = body["anchors"]
    assert chain[0]["prev_root"] is None and all(b["prev_root"] == a["root"] for a, b in zip(chain, chain[1:], strict=False))
    async with committed.connect() as conn:
        runs = (await conn.execute(text("SELECT runs FROM scheduled_job WHERE name = 'anchor_days'"))).scalar()
    assert runs == 1  # one claim for the interval, whichever of the two workers won it


async def test_a_kept_copy_names_the_first_day_that_was_rewritten(committed: AsyncEngine, db_url: str, tmp_path: Path) -> None:
    now = clock.now()
    await _manifests_on(committed, [now - timedelta(days=3), now - timedelta(days=2), now - timedelta(days=1)])
    await anchor_finished_days(committed)
    env = {**os.environ, "DATABASE_URL": db_url}
    copy = tmp_path / "anchors.json"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "waste_tracker.cli", *args]
        return subprocess.run(argv, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)

    r = cli("anchor", "export", str(copy))
    assert r.returncode == 0, r.stderr
    kept = json.loads(copy.read_text())
    assert [a["event_count"] for a in kept["anchors"]] == [2, 2, 2]
    r = cli("verify", "--all", "--anchors", str(copy))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "anchor copy" in r.stdout and "3 days, all match" in r.stdout

    # A superuser rewrites the middle day's anchor row (as if to cover a rewritten chain).
    middle = kept["anchors"][1]["day"]
    async with committed.begin() as conn:
        await as_admin(conn)
        await conn.execute(text("ALTER TABLE anchor DISABLE TRIGGER anchor_no_update_delete"))
        await conn.execute(text("UPDATE anchor SET merkle_root = repeat('f', 64) WHERE day = :d"), {"d": middle})
        await conn.execute(text("ALTER TABLE anchor ENABLE ALWAYS TRIGGER anchor_no_update_delete"))
    r = cli("verify", "--all", "--anchors", str(copy))
    assert r.returncode == 1
    assert f"DIFFERS from the copy {copy} first on {middle}: anchor_differs" in r.stdout
    async with committed.connect() as conn:
        checked, diff = await compare_with_copy(conn, kept)
        assert diff is not None and (str(diff.day), diff.reason, checked) == (middle, "anchor_differs", 2)
        # a copy whose own chain was edited is refused as a copy
        forged = json.loads(json.dumps(kept))
        forged["anchors"][2]["prev_root"] = "0" * 64
        _, diff = await compare_with_copy(conn, forged)
        assert diff is not None and diff.reason in ("anchor_differs", "copy_chain_broken")
    r = cli("verify", "--all", "--anchors", str(tmp_path / "missing.json"))
    assert r.returncode == 1 and "not a readable anchor copy" in r.stdout
