"""Time-based rules in the sweep: fire, just under, auto-resolution, dedup, dismissal, the lock."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories as f
from tests.alerts.helpers import alerts_of
from tests.manifest.conftest import Flow, World, build_world, today
from waste_tracker import clock
from waste_tracker.models import Alert, AlertHistory, Manifest
from waste_tracker.rules.sweep import run_sweep

MIN = timedelta(minutes=1)


async def _stamp(session: AsyncSession, mid: str, column: str) -> datetime:
    m = await session.get(Manifest, mid, populate_existing=True)
    return getattr(m, column)


async def _sweep(session: AsyncSession, now: datetime) -> dict[str, dict[str, int]]:
    report = await run_sweep(session, now=now)
    assert report.ran
    return report.rules


@pytest.mark.parametrize(
    ("rule", "setup", "column", "threshold"),
    [
        ("not_picked_up", "submitted", "submitted_at", timedelta(days=30)),
        ("in_transit_too_long", "picked_up", "picked_up_at", timedelta(hours=24)),
        ("received_not_disposed", "received", "received_at", timedelta(days=90)),
        ("rejected_not_resolved", "rejected", "rejected_at", timedelta(days=7)),
    ],
)
async def test_time_rule_fires_past_threshold_only(
    session: AsyncSession, flow: Flow, rule: str, setup: str, column: str, threshold: timedelta
) -> None:
    if setup == "submitted":
        m = await flow.submitted()
    elif setup == "picked_up":
        m = await flow.submitted()
        await flow.scan(m, "pickup", f.POINTS[330402])
    else:
        m = await flow.delivered()
        r = await flow.receive(m, decision="accepted" if setup == "received" else "rejected", reason="不符")
        assert r.status_code == 200
    t0 = await _stamp(session, m["id"], column)
    await _sweep(session, t0 + threshold - MIN)
    assert rule not in await alerts_of(session, m["id"])
    counts = await _sweep(session, t0 + threshold + MIN)
    assert counts[rule]["found"] == 1 and counts[rule]["opened"] == 1
    a = (await alerts_of(session, m["id"]))[rule]
    assert a.status == "open" and a.evidence["number"] == m["number"]


async def test_delivered_not_received_counts_working_days(session: AsyncSession, flow: Flow) -> None:
    m = await flow.delivered()
    delivered = await _stamp(session, m["id"], "delivered_at")
    day = clock.local_date(delivered)
    deadline = (await session.execute(text("SELECT add_working_days(:d, 5)"), {"d": day})).scalar()
    assert (deadline - day).days >= 5  # never fewer calendar days than working days
    at_deadline = clock.start_of(deadline) + timedelta(hours=23)
    await _sweep(session, at_deadline)
    assert "delivered_not_received" not in await alerts_of(session, m["id"])
    await _sweep(session, at_deadline + timedelta(hours=2))  # the next calendar day
    a = (await alerts_of(session, m["id"]))["delivered_not_received"]
    assert a.evidence["deadline"] == str(deadline)


async def test_working_days_skip_weekends_and_holidays(session: AsyncSession) -> None:
    friday = date(2026, 11, 27)
    q = text("SELECT add_working_days(:d, 5)")
    assert (await session.execute(q, {"d": friday})).scalar() == date(2026, 12, 4)
    await session.execute(text("INSERT INTO holiday (day, name) VALUES ('2026-12-01', '测试假日')"))
    assert (await session.execute(q, {"d": friday})).scalar() == date(2026, 12, 7)
    await session.execute(text("INSERT INTO holiday (day, name, is_workday) VALUES ('2026-11-28', '调休上班', true)"))
    assert (await session.execute(q, {"d": friday})).scalar() == date(2026, 12, 4)


async def test_auto_resolution_dedup_and_idempotence(session: AsyncSession, flow: Flow) -> None:
    m = await flow.submitted()
    later = await _stamp(session, m["id"], "submitted_at") + timedelta(days=31)
    await _sweep(session, later)
    await _sweep(session, later + MIN)  # repeated: updates, does not duplicate
    rows = (await session.execute(select(Alert).where(Alert.manifest_id == m["id"]))).scalars().all()
    assert len(rows) == 1 and rows[0].occurrences == 2 and rows[0].status == "open"
    await flow.scan(m, "pickup", f.POINTS[330402])  # finally picked up
    counts = await _sweep(session, later + 2 * MIN)
    assert counts["not_picked_up"]["auto_resolved"] == 1
    a = (await alerts_of(session, m["id"]))["not_picked_up"]
    assert a.status == "auto_resolved" and a.closed_at is not None
    actions = (
        (await session.execute(select(AlertHistory.action).where(AlertHistory.alert_id == a.id).order_by(AlertHistory.id)))
        .scalars()
        .all()
    )
    assert list(actions) == ["opened", "auto_resolved"]


async def test_dismissed_alert_stays_dismissed_when_unchanged(
    client,
    session: AsyncSession,
    world: World,  # type: ignore[no-untyped-def]
    flow: Flow,
) -> None:
    m = await flow.submitted()
    later = await _stamp(session, m["id"], "submitted_at") + timedelta(days=31)
    await _sweep(session, later)
    a = (await alerts_of(session, m["id"]))["not_picked_up"]
    r = await client.post(f"/api/v1/alerts/{a.id}/dismiss", headers=f.auth(world.city_regulator), json={})
    assert r.status_code == 422 and r.json()["code"] == "note_required"
    r = await client.post(
        f"/api/v1/alerts/{a.id}/dismiss", headers=f.auth(world.city_regulator), json={"note": "企业停产检修，已电话核实"}
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    await _sweep(session, later + timedelta(days=1))
    assert (await alerts_of(session, m["id"]))["not_picked_up"].status == "dismissed"


async def test_two_sweeps_at_once_one_runs(committed: AsyncEngine) -> None:
    async with AsyncSession(committed) as s1, AsyncSession(committed) as s2:
        first = await run_sweep(s1)
        second = await run_sweep(s2)  # s1's transaction still holds the lock
        assert first.ran and not second.ran
        await s1.commit()
        third = await run_sweep(s2)
        assert third.ran
        await s2.commit()


async def test_sweep_cli(committed: AsyncEngine, db_url: str) -> None:
    import os
    import subprocess
    import sys

    from waste_tracker.config import PROJECT_ROOT

    async with AsyncSession(committed, expire_on_commit=False) as s:
        await build_world(s)
        await s.commit()
    r = subprocess.run(
        [sys.executable, "-m", "waste_tracker.cli", "sweep"],
        env={**os.environ, "DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "not_picked_up" in r.stdout and "sweep done" in r.stdout
    _ = (UTC, today)
