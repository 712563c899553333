"""Tamper evidence beyond single chains (daily Merkle anchors), and backup/restore round trips."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import DatabaseRoles, as_admin
from tests.manifest.conftest import World, build_world, today
from waste_tracker import clock, localdb
from waste_tracker.auth.service import principal_for
from waste_tracker.config import PROJECT_ROOT, Settings
from waste_tracker.errors import Conflict, Invalid
from waste_tracker.manifest import service
from waste_tracker.manifest.anchors import anchor_day, merkle_root, verify_anchors
from waste_tracker.manifest.chain import GENESIS, event_hash
from waste_tracker.manifest.commands import Draft
from waste_tracker.manifest.verify import as_event, verify_all


def test_merkle_root_small_cases() -> None:
    import hashlib

    a, b, c = (hashlib.sha256(x).hexdigest() for x in (b"a", b"b", b"c"))
    ab = hashlib.sha256(bytes.fromhex(a) + bytes.fromhex(b)).digest()
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert merkle_root([a]) == a
    assert merkle_root([a, b]) == ab.hex()
    assert merkle_root([a, b, c]) == hashlib.sha256(ab + bytes.fromhex(c)).hexdigest()
    assert merkle_root([b, a]) != merkle_root([a, b])


async def _yesterdays_manifests(s: AsyncSession, world: World, n: int) -> list[str]:
    actor = await principal_for(s, world.gen_user, Settings(env="test"))
    yesterday = clock.local(clock.now()).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    ids = []
    for i in range(n):
        m = await service.create_draft(
            s,
            actor,
            Draft.of(
                world.body(planned_pickup_date=today())
                | {
                    "planned_pickup_date": today(),
                    "generator_site_id": world.gen_site.id,
                    "carrier_org_id": world.carrier.id,
                    "receiver_site_id": world.rcv_site.id,
                }
            ),
            now=yesterday + timedelta(minutes=i),
        )
        await service.submit(s, actor, m.id, now=yesterday + timedelta(minutes=i, seconds=30))
        ids.append(str(m.id))
    return ids


async def test_anchor_catches_a_consistently_rewritten_chain(session: AsyncSession, world: World) -> None:
    ids = await _yesterdays_manifests(session, world, 3)
    day = clock.today() - timedelta(days=1)
    with pytest.raises(Invalid):
        await anchor_day(session, clock.today())  # today is not over
    a = await anchor_day(session, day)
    assert a["event_count"] == 6
    with pytest.raises(Conflict):
        await anchor_day(session, day)
    assert await verify_anchors(await session.connection()) == (1, [])
    with pytest.raises(Exception, match="permission denied"):  # the application role
        async with session.begin_nested():
            await session.execute(text("UPDATE anchor SET merkle_root = 'x'"))
    with pytest.raises(Exception, match="append-only"):  # noqa: PT012 - a superuser meets the trigger
        async with session.begin_nested():
            await as_admin(session)
            await session.execute(text("UPDATE anchor SET merkle_root = 'x'"))
    # A careful forger rewrites a whole chain so that it verifies on its own...
    await as_admin(session)
    await session.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
    rows = (
        (
            await session.execute(
                text(
                    "SELECT manifest_id, seq, type, actor_user_id, actor_org_id, server_time, device_time, "
                    "ST_X(location) AS lon, "
                    "ST_Y(location) AS lat, accuracy_m, vehicle_plate, payload, prev_hash, hash FROM manifest_event "
                    "WHERE manifest_id = :m ORDER BY seq"
                ),
                {"m": ids[1]},
            )
        )
        .mappings()
        .all()
    )
    prev = GENESIS
    for r in rows:
        e = as_event(r)
        if e["seq"] == 2:
            e["payload"] = {**e["payload"], "declared_kg": "15.000"}
        e["prev_hash"] = prev
        e["hash"] = event_hash(e)
        await session.execute(
            text(
                "UPDATE manifest_event SET payload = CAST(:p AS jsonb), prev_hash = :ph, hash = :h "
                "WHERE manifest_id = :m AND seq = :s"
            ),
            {"p": __import__("json").dumps(e["payload"]), "ph": prev, "h": e["hash"], "m": ids[1], "s": e["seq"]},
        )
        prev = e["hash"]
    # ...and the row the pages read, so that it matches the rewritten events
    await session.execute(text("UPDATE manifest SET last_hash = :h, declared_kg = 15 WHERE id = :m"), {"h": prev, "m": ids[1]})
    await session.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
    conn = await session.connection()
    assert (await verify_all(conn)).ok  # ...the chains alone cannot tell...
    n, breaks = await verify_anchors(conn)
    assert [b.day for b in breaks] == [day]  # ...the anchor can.


async def test_backup_and_restore_round_trip(committed: AsyncEngine, test_db: DatabaseRoles) -> None:
    async with AsyncSession(committed, expire_on_commit=False) as s:
        world = await build_world(s)
        await _yesterdays_manifests(s, world, 4)
        await s.commit()
        await anchor_day(s, clock.today() - timedelta(days=1))
        await s.commit()
    cluster = localdb.cluster_from_settings(Settings(database_url=None))
    target = f"waste_tracker_restore_{os.getpid()}"
    localdb.drop_database(cluster, target)
    localdb.create_database(cluster, target)
    backup_file = PROJECT_ROOT / "test-artifacts" / f"backup-{os.getpid()}.dump"
    try:

        def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "waste_tracker.cli", *args],
                cwd=PROJECT_ROOT,
                timeout=180,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
            )

        r = cli(test_db.owner, "backup", str(backup_file))
        assert r.returncode == 0, r.stderr
        assert backup_file.stat().st_size > 10_000
        r = cli(cluster.url(target), "restore", str(backup_file))
        assert r.returncode == 0, r.stderr
        r = cli(cluster.url(target), "verify", "--all")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "verified 4 manifests, 8 events: OK; 1 anchors: OK" in r.stdout
        assert "password" not in (r.stdout + r.stderr).lower()
    finally:
        localdb.drop_database(cluster, target)
        backup_file.unlink(missing_ok=True)


async def test_parallel_verification_matches_a_single_pass(committed: AsyncEngine) -> None:
    async with AsyncSession(committed, expire_on_commit=False) as s:
        world = await build_world(s)
        ids = await _yesterdays_manifests(s, world, 6)
        await s.commit()
    async with committed.connect() as conn:
        single = await verify_all(conn, workers=1)
    async with committed.connect() as conn, conn.begin():
        parallel = await verify_all(conn, workers=2)
    assert (parallel.manifests, parallel.events, parallel.breaks) == (single.manifests, single.events, []) == (6, 12, [])
    async with committed.begin() as conn:  # tamper one chain: both find the same break
        await as_admin(conn)
        await conn.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
        await conn.execute(text("UPDATE manifest_event SET type = 'x' WHERE manifest_id = :m AND seq = 2"), {"m": ids[3]})
        await conn.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
    async with committed.connect() as conn, conn.begin():
        parallel = await verify_all(conn, workers=2)
    assert [(b.manifest_id, b.seq) for b in parallel.breaks] == [(ids[3], 2)]
