"""Append-only events, tamper detection, and real concurrency (separate connections, committed)."""

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories as f
from tests.conftest import as_admin
from tests.manifest.conftest import Flow, World, token_of
from waste_tracker.config import PROJECT_ROOT
from waste_tracker.manifest.verify import verify_all, verify_manifest


async def test_database_refuses_update_delete_truncate(session: AsyncSession, flow: Flow) -> None:
    m = await flow.submitted()
    for sql in (
        "UPDATE manifest_event SET type = 'x' WHERE manifest_id = :m",
        "DELETE FROM manifest_event WHERE manifest_id = :m",
        "TRUNCATE manifest_event",
    ):
        # The application role has no such privilege at all...
        with pytest.raises(DBAPIError, match="permission denied"):
            async with session.begin_nested():
                await session.execute(text(sql), {"m": m["id"]})
        # ...and even a superuser in replica mode meets the trigger (ENABLE ALWAYS).
        with pytest.raises(DBAPIError, match="append-only"):  # noqa: PT012 - one statement, as the administrator
            async with session.begin_nested():
                await as_admin(session)
                await session.execute(text("SET LOCAL session_replication_role = replica"))
                await session.execute(text(sql), {"m": m["id"]})
    check = await verify_manifest(session, uuid.UUID(m["id"]))
    assert (check.events, check.breaks) == (2, [])


async def test_an_edited_event_is_pinpointed(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    await as_admin(session)
    await session.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
    await session.execute(
        text(
            "UPDATE manifest_event SET payload = jsonb_set(payload, '{declared_kg}', '\"15.000\"') "
            "WHERE manifest_id = :m AND seq = 2"
        ),
        {"m": m["id"]},
    )
    await session.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
    r = await client.get(f"/api/v1/manifests/{m['id']}/verify", headers=f.auth(world.city_regulator))
    body = r.json()
    assert body["ok"] is False
    assert body["first_break"]["seq"] == 2 and body["first_break"]["reason"] == "hash_mismatch"
    report = await verify_all(await session.connection())
    assert [(b.manifest_id, b.seq) for b in report.breaks] == [(m["id"], 2)]


async def test_twenty_concurrent_pickups_record_one_event(live, committed: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    w, c = live
    flow = Flow(c, w)
    m = await flow.submitted()
    results = await asyncio.gather(*[flow.scan(m, "pickup", f.POINTS[330402]) for _ in range(20)])
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 1 and codes.count(409) == 19, codes
    assert all(r.json()["code"] == "invalid_transition" for r in results if r.status_code == 409)
    async with committed.connect() as conn:
        n = (
            await conn.execute(
                text("SELECT count(*) FROM manifest_event WHERE manifest_id = :m AND type = 'picked_up'"), {"m": m["id"]}
            )
        ).scalar()
        assert n == 1
        assert (await verify_all(conn)).ok


async def test_concurrent_retries_with_one_key_record_once(live, committed: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    w, c = live
    m = await Flow(c, w).submitted()
    body = {"token": token_of(m), "action": "pickup", "vehicle_plate": w.truck.plate, "lon": 120.812, "lat": 30.719}
    h = f.auth(w.driver) | {"Idempotency-Key": "retry-storm-1"}
    results = await asyncio.gather(*[c.post("/api/v1/scans", json=body, headers=h) for _ in range(10)])
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["event"]["hash"] for r in results}) == 1
    async with committed.connect() as conn:
        n = (await conn.execute(text("SELECT count(*) FROM manifest_event WHERE manifest_id = :m"), {"m": m["id"]})).scalar()
    assert n == 3


async def test_concurrent_submissions_get_gap_free_numbers(live) -> None:  # type: ignore[no-untyped-def]
    w, c = live
    flow = Flow(c, w)
    drafts = [await flow.create() for _ in range(8)]
    results = await asyncio.gather(*[c.post(f"/api/v1/manifests/{d['id']}/submit", headers=f.auth(w.gen_user)) for d in drafts])
    assert {r.status_code for r in results} == {200}
    serials = sorted(int(r.json()["number"][-6:]) for r in results)
    assert serials == list(range(serials[0], serials[0] + 8))


async def test_cli_verify_all_names_the_tampered_manifest(live, committed: AsyncEngine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    w, c = live
    flow = Flow(c, w)
    good = await flow.submitted()
    bad = await flow.delivered()
    env = {**os.environ, "DATABASE_URL": db_url}
    cli = [sys.executable, "-m", "waste_tracker.cli", "verify", "--all"]
    r = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout
    async with committed.begin() as conn:  # a superuser who disables the trigger and edits a row
        await as_admin(conn)
        await conn.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
        await conn.execute(
            text("UPDATE manifest_event SET vehicle_plate = '浙F00000' WHERE manifest_id = :m AND seq = 3"), {"m": bad["id"]}
        )
        await conn.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
    r = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert r.returncode == 1
    assert f"BROKEN manifest {bad['id']} at seq 3: hash_mismatch" in r.stdout
    assert good["id"] not in r.stdout


async def test_a_deleted_tail_is_caught_by_the_head_check(session: AsyncSession, flow: Flow) -> None:
    m = await flow.delivered()
    await as_admin(session)
    await session.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
    await session.execute(text("DELETE FROM manifest_event WHERE manifest_id = :m AND seq = 4"), {"m": m["id"]})
    await session.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
    report = await verify_all(await session.connection())
    assert (report.breaks[0].manifest_id, report.breaks[0].reason) == (m["id"], "head_mismatch")
    # ...and the stored row still shows the deleted step's result: named field by field
    assert ("status", "delivered", "in_transit") in [(b.field, b.found, b.expected) for b in report.breaks]
    check = await verify_manifest(session, uuid.UUID(m["id"]))
    assert check.first is not None and check.first.reason == "head_mismatch"
