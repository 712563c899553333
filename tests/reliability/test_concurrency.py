"""Concurrency on real connections: conflicting transitions, and a retrying scan storm."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.app import create_app
from tests import factories as f
from tests.manifest.conftest import Flow, World, build_world, token_of
from waste_tracker.manifest.verify import verify_all

FIGURES: dict[str, object] = {}


@pytest.fixture
async def app_client(committed: AsyncEngine, settings) -> tuple[World, httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with AsyncSession(committed, expire_on_commit=False) as s:
        w = await build_world(s)
        await s.commit()
    app = create_app(settings, committed)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=120) as c:
        yield w, c


async def test_fifty_conflicting_transitions_one_wins(app_client, committed: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    w, c = app_client
    flow = Flow(c, w)
    m = await flow.submitted()
    rnd = random.Random(7)
    calls = []
    for i in range(50):
        if rnd.random() < 0.5:
            calls.append(c.post(f"/api/v1/manifests/{m['id']}/cancel", json={"reason": f"取消{i}"}, headers=f.auth(w.gen_user)))
        else:
            calls.append(flow.scan(m, "pickup", f.POINTS[330402]))
    results = await asyncio.gather(*calls)
    codes = [r.status_code for r in results]
    assert sum(1 for x in codes if x in (200, 201)) == 1, codes
    assert sum(1 for x in codes if x == 409) == 49, codes  # invalid_transition, or manifest_cancelled for late scans
    assert {r.json()["code"] for r in results if r.status_code == 409} <= {"invalid_transition", "manifest_cancelled"}
    async with committed.connect() as conn:
        n = (await conn.execute(text("SELECT count(*) FROM manifest_event WHERE manifest_id = :m"), {"m": m["id"]})).scalar()
        assert n == 3  # created, submitted, and exactly one of cancelled / picked_up
        assert (await verify_all(conn)).ok
    FIGURES["conflict"] = {"requests": 50, "won": 1, "conflicts": 49}


async def test_scan_storm_with_parallel_retries_records_each_scan_once(app_client, committed: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    w, c = app_client
    flow = Flow(c, w)
    manifests = [await flow.submitted() for _ in range(20)]
    lon, lat = f.POINTS[330402]
    bodies = {
        m["id"]: {"token": token_of(m), "action": "pickup", "vehicle_plate": w.truck.plate, "lon": lon, "lat": lat}
        for m in manifests
    }
    sends = [(m["id"], attempt) for m in manifests for attempt in range(4)]  # every scan sent 4 times...
    random.Random(11).shuffle(sends)  # ...in parallel, in any order
    results = await asyncio.gather(
        *[
            c.post("/api/v1/scans", json=bodies[mid], headers=f.auth(w.driver) | {"Idempotency-Key": f"k-{mid}"})
            for mid, _ in sends
        ]
    )
    assert {r.status_code for r in results} == {201}
    by_manifest: dict[str, set[str]] = {}
    for (mid, _), r in zip(sends, results, strict=True):
        by_manifest.setdefault(mid, set()).add(r.json()["event"]["hash"])
    assert all(len(h) == 1 for h in by_manifest.values())  # every retry saw the same event
    async with committed.connect() as conn:
        rows = (await conn.execute(text("SELECT count(*) FROM manifest_event WHERE type = 'picked_up'"))).scalar()
        assert rows == 20
        assert (await verify_all(conn)).ok
    FIGURES["storm"] = {"requests": len(sends), "scans": 20, "recorded": rows}
