"""Verification covers what people see (issue #10 item 2): the stored manifest and its lines are
compared with the replay of the events, serials are gap-free, and a malformed payload is reported
at its event without hiding the other manifests."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories as f
from tests.conftest import as_admin
from tests.manifest.conftest import Flow, World
from waste_tracker.config import PROJECT_ROOT
from waste_tracker.manifest.verify import verify_all, verify_manifest


async def _log_in(client, username: str) -> None:  # type: ignore[no-untyped-def]
    await client.get("/login")
    r = await client.post("/login", data={"username": username, "password": f.PASSWORD, "csrf": client.cookies.get("wt_csrf")})
    assert r.status_code in (302, 303), r.text


async def test_a_plain_update_of_what_pages_show_is_named_field_by_field(
    client, session: AsyncSession, world: World, flow: Flow
) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    r = await flow.receive(m)
    assert r.status_code == 200, r.text
    assert (await verify_manifest(session, uuid.UUID(m["id"]))).ok
    await as_admin(session)
    await session.execute(
        text("UPDATE manifest SET status = 'completed', received_kg = 1200, carrier_org_id = :o WHERE id = :m"),
        {"m": m["id"], "o": world.receiver.id},
    )
    await session.execute(
        text("UPDATE manifest_line SET description = '普通垃圾', accepted_kg = 1 WHERE manifest_id = :m AND line_no = 1"),
        {"m": m["id"]},
    )
    check = await verify_manifest(session, uuid.UUID(m["id"]))
    found = {b.field: (b.found, b.expected) for b in check.breaks}
    assert {b.reason for b in check.breaks} == {"projection_mismatch"}
    assert found["status"] == ("completed", "received")
    assert found["received_kg"] == ("1200.000", "1500.000")
    assert found["carrier_org_id"] == (str(world.receiver.id), str(world.carrier.id))
    assert found["lines[1].description"][0] == "普通垃圾"
    assert found["lines[1].accepted_kg"] == ("1.000", "1500.000")
    assert set(found) == {"status", "received_kg", "carrier_org_id", "lines[1].description", "lines[1].accepted_kg"}

    r = await client.get(f"/api/v1/manifests/{m['id']}/verify", headers=f.auth(world.city_regulator))
    body = r.json()
    assert r.status_code == 200 and body["ok"] is False
    assert body["first_break"]["reason"] == "projection_mismatch"
    assert {b["field"] for b in body["breaks"]} == set(found)

    report = await verify_all(await session.connection())
    assert not report.ok
    assert {(b.manifest_id, b.field) for b in report.breaks} == {(m["id"], k) for k in found}

    # The generator's page no longer says the record is intact, and says what differs.
    await _log_in(client, world.gen_user.username)
    page = await client.get(f"/m/{m['id']}")
    assert page.status_code == 200
    assert 'class="chain broken"' in page.text and 'id="record-check"' in page.text
    assert "“status”显示为 completed，记录为 received" in page.text


async def test_a_deleted_line_or_an_extra_line_is_named(session: AsyncSession, flow: Flow) -> None:
    m = await flow.submitted()
    await as_admin(session)
    await session.execute(
        text(
            """INSERT INTO manifest_line (manifest_id, line_no, waste_code, category_code, kind, description,
               physical_form, hazard_characteristics, declared_kg, container_type, container_count)
               SELECT manifest_id, 2, waste_code, category_code, kind, description, physical_form,
                      hazard_characteristics, 10, container_type, 1 FROM manifest_line WHERE manifest_id = :m"""
        ),
        {"m": m["id"]},
    )
    check = await verify_manifest(session, uuid.UUID(m["id"]))
    assert [(b.reason, b.field, b.expected) for b in check.breaks] == [("projection_mismatch", "lines[2]", None)]


async def test_an_erased_submission_leaves_a_serial_gap(live, committed: AsyncEngine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """Deleting the last event and putting the row back as a draft makes a consistent-looking
    draft; only the national serial it had taken shows that a submission existed."""
    w, c = live
    flow = Flow(c, w)
    first = await flow.submitted()
    erased = await flow.submitted()
    third = await flow.submitted()
    env = {**os.environ, "DATABASE_URL": db_url}
    cli = [sys.executable, "-m", "waste_tracker.cli", "verify", "--all"]
    r = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    async with committed.begin() as conn:
        await as_admin(conn)
        await conn.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
        await conn.execute(text("DELETE FROM manifest_event WHERE manifest_id = :m AND seq = 2"), {"m": erased["id"]})
        await conn.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
        await conn.execute(
            text(
                """UPDATE manifest m SET number = NULL, submitted_at = NULL, status = 'draft', version = 1,
                   last_hash = e.hash, updated_at = e.server_time, licence_id = NULL, permit_id = NULL, parties = NULL
                   FROM manifest_event e WHERE e.manifest_id = m.id AND e.seq = 1 AND m.id = :m"""
            ),
            {"m": erased["id"]},
        )
    async with committed.connect() as conn:
        report = await verify_all(conn)
    assert report.breaks == []  # the erased manifest now looks like a draft...
    assert [g.number for g in report.serial_gaps] == [erased["number"]]  # ...but its number is missing
    assert not report.ok
    r = subprocess.run(cli, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert r.returncode == 1
    assert f"GAP serial {erased['number']}" in r.stdout
    assert first["number"] not in r.stdout and third["number"] not in r.stdout


async def test_a_malformed_payload_is_reported_and_the_rest_still_checked(live, committed: AsyncEngine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    w, c = live
    flow = Flow(c, w)
    floated = await flow.submitted()
    edited = await flow.submitted()
    good = await flow.submitted()
    async with committed.begin() as conn:
        await as_admin(conn)
        await conn.execute(text("ALTER TABLE manifest_event DISABLE TRIGGER manifest_event_no_update_delete"))
        await conn.execute(
            text(
                """UPDATE manifest_event SET payload = jsonb_set(payload, '{declared_kg}', '1500.5')
                   WHERE manifest_id = :m AND seq = 2"""
            ),
            {"m": floated["id"]},
        )
        await conn.execute(
            text("UPDATE manifest_event SET payload = jsonb_set(payload, '{notes}', '\"x\"') WHERE manifest_id = :m AND seq = 1"),
            {"m": edited["id"]},
        )
        await conn.execute(text("ALTER TABLE manifest_event ENABLE ALWAYS TRIGGER manifest_event_no_update_delete"))
    # The API and the page answer (no 500) and say what is wrong, and where.
    r = await c.get(f"/api/v1/manifests/{floated['id']}/verify", headers=f.auth(w.city_regulator))
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is False
    assert (r.json()["first_break"]["reason"], r.json()["first_break"]["seq"]) == ("invalid_payload", 2)
    async with committed.connect() as conn:
        for workers in (1, 2):
            report = await verify_all(conn, workers=workers)
            assert sorted((b.manifest_id, b.seq, b.reason) for b in report.breaks) == sorted(
                [(floated["id"], 2, "invalid_payload"), (edited["id"], 1, "hash_mismatch")]
            ), workers
    assert good["id"] not in {b.manifest_id for b in report.breaks}
    await _log_in(c, w.gen_user.username)
    page = await c.get(f"/m/{floated['id']}")
    assert page.status_code == 200 and 'data-reason="invalid_payload"' in page.text
    assert "第 2 步的内容无法读取" in page.text
    page = await c.get(f"/m/{good['id']}")
    assert page.status_code == 200 and 'class="chain ok"' in page.text
    env = {**os.environ, "DATABASE_URL": db_url}
    r = subprocess.run(
        [sys.executable, "-m", "waste_tracker.cli", "verify", "--all"],
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert f"BROKEN manifest {floated['id']} at seq 2: invalid_payload" in r.stdout
    assert f"BROKEN manifest {edited['id']} at seq 1: hash_mismatch" in r.stdout
