"""Crash tests against real processes: kill -9 the server mid-load, and stop PostgreSQL abruptly
(immediate shutdown) mid-load. Afterwards every scan that got a 2xx exists exactly once, every chain
verifies, the projection equals the replay, and the service recovers by itself."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories as f
from tests.conftest import TEST_SECRET
from tests.manifest.test_lifecycle_api import assert_projection_equals_replay
from waste_tracker import clock, localdb
from waste_tracker.config import Settings
from waste_tracker.manifest.verify import verify_all
from waste_tracker.scan.tokens import make_token

N_MANIFESTS = 60
FIGURES: dict[str, dict[str, int]] = {}


async def _submitted(c: httpx.AsyncClient, world, n: int) -> list[dict]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        r = await c.post("/api/v1/manifests", json=world.body(), headers=f.auth(world.gen_user))
        r = await c.post(f"/api/v1/manifests/{r.json()['id']}/submit", headers=f.auth(world.gen_user))
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


_BODIES: dict[str, dict] = {}


def _scan_body(world, m: dict) -> dict:  # type: ignore[no-untyped-def]
    """The phone queues one body per scan and retries it byte for byte."""
    if m["id"] not in _BODIES:
        lon, lat = f.POINTS[330402]
        _BODIES[m["id"]] = {
            "token": make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"]),
            "action": "pickup",
            "vehicle_plate": world.truck.plate,
            "lon": lon,
            "lat": lat,
            "accuracy_m": 9,
            "device_time": clock.local(clock.now()).isoformat(),
        }
    return _BODIES[m["id"]]


async def _storm(
    url: str,
    world,
    manifests: list[dict],
    acked: dict[str, str],
    crash_after: int,  # type: ignore[no-untyped-def]
    crash,
) -> int:
    """Send each manifest's pickup (key = manifest id) from 8 workers; call ``crash`` once
    ``crash_after`` scans were acknowledged. Returns how many requests failed in transport."""
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for m in manifests:
        queue.put_nowait(m)
    failed = 0
    crashed = asyncio.Event()

    async def worker() -> None:
        nonlocal failed
        async with httpx.AsyncClient(base_url=url, timeout=5) as c:
            while not queue.empty():
                m = queue.get_nowait()
                try:
                    r = await c.post(
                        "/api/v1/scans",
                        json=_scan_body(world, m),
                        headers=f.auth(world.driver) | {"Idempotency-Key": f"pickup-{m['id']}"},
                    )
                    if 200 <= r.status_code < 300:
                        acked[m["id"]] = r.json()["event"]["hash"]
                except httpx.HTTPError:
                    failed += 1
                if len(acked) >= crash_after and not crashed.is_set():
                    crashed.set()
                    await asyncio.to_thread(crash)

    await asyncio.gather(*[worker() for _ in range(8)])
    return failed


async def _retry_all(url: str, world, manifests: list[dict], acked: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    """After recovery the phones retry everything with the same keys; acknowledged scans must come
    back identical (replayed), never recorded twice."""
    replayed = 0
    async with httpx.AsyncClient(base_url=url, timeout=10) as c:
        for m in manifests:
            r = await c.post(
                "/api/v1/scans",
                json=_scan_body(world, m),
                headers=f.auth(world.driver) | {"Idempotency-Key": f"pickup-{m['id']}"},
            )
            if m["id"] in acked:
                assert r.status_code == 201, r.text
                assert r.json()["event"]["hash"] == acked[m["id"]]
                replayed += 1
            else:
                assert r.status_code in (201, 409), r.text  # 409: it had landed, unacknowledged
    return replayed


async def _check_database(engine: AsyncEngine, manifests: list[dict], acked: dict[str, str]) -> int:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT manifest_id::text, count(*), min(hash) FROM manifest_event WHERE type = 'picked_up' GROUP BY 1")
            )
        ).all()
        per = {r[0]: (r[1], r[2]) for r in rows}
        for m in manifests:
            assert per.get(m["id"], (0, None))[0] == 1, m["number"]  # exactly once
        for mid, h in acked.items():
            assert per[mid][1] == h  # every acknowledged scan exists, as acknowledged
        report = await verify_all(conn)
        assert report.ok, report.breaks
    async with AsyncSession(engine) as s:
        await assert_projection_equals_replay(s)
    return report.events


async def test_server_killed_mid_load(live, committed: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    server, world = live
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        manifests = await _submitted(c, world, N_MANIFESTS)
    acked: dict[str, str] = {}
    failed = await _storm(server.url, world, manifests, acked, crash_after=N_MANIFESTS // 3, crash=server.kill9)
    assert 0 < len(acked) < N_MANIFESTS
    server.start()  # a fresh process on the same database
    replayed = await _retry_all(server.url, world, manifests, acked)
    events = await _check_database(committed, manifests, acked)
    FIGURES["kill9"] = {
        "acknowledged_before_crash": len(acked),
        "transport_failures": failed,
        "replayed": replayed,
        "pickups_found": N_MANIFESTS,
        "events_verified": events,
    }
    print(FIGURES)


async def test_database_stopped_mid_load(live, committed: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs the embedded cluster: it stops and restarts PostgreSQL")
    server, world = live
    cluster = localdb.cluster_from_settings(Settings(database_url=None))
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        manifests = await _submitted(c, world, N_MANIFESTS)
        assert (await c.get("/readyz")).status_code == 200
    acked: dict[str, str] = {}
    await _storm(
        server.url, world, manifests, acked, crash_after=N_MANIFESTS // 3, crash=lambda: localdb.down(cluster, mode="immediate")
    )
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as c:
        outage = await c.get("/readyz")
        assert outage.status_code == 503 and outage.json()["database"] == "unreachable"
        r = await c.post("/api/v1/scans", json=_scan_body(world, manifests[-1]), headers=f.auth(world.driver))
        assert r.status_code == 503 and r.json()["code"] == "database_unavailable"  # a clear answer, not a 500
        localdb.up(cluster, quiet=True)
        deadline = time.monotonic() + 60
        while (await c.get("/readyz")).status_code != 200:  # the same server process recovers by itself
            assert time.monotonic() < deadline, "service did not recover"
            await asyncio.sleep(0.5)
    replayed = await _retry_all(server.url, world, manifests, acked)
    events = await _check_database(committed, manifests, acked)
    FIGURES["db_immediate_stop"] = {
        "acknowledged_before_crash": len(acked),
        "replayed": replayed,
        "pickups_found": N_MANIFESTS,
        "events_verified": events,
    }
    print(FIGURES)
