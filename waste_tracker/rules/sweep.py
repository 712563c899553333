"""The sweep: every time-based rule as one set-based SQL statement (no per-manifest loop).

Idempotent (a second run finds the same subjects and changes no statuses) and safe to run
concurrently: a transaction-level advisory lock lets one sweep run at a time; others skip.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.alerts.store import sweep_rule
from waste_tracker.rules.mass_balance import MASS_BALANCE_SQL
from waste_tracker.rules.money import MONEY_SQL
from waste_tracker.rules.road import TRACK_SILENT_SQL, UNMATCHED_TICKET_SQL, WEIGHT_MISMATCH_SQL
from waste_tracker.rules.settings import effective_settings

log = logging.getLogger("waste_tracker.sweep")
SWEEP_LOCK_KEY = 7_406_391_001  # any constant unique to this job

_PARTIES = "m.generator_county, m.receiver_county, m.generator_org_id, m.receiver_org_id, m.carrier_org_id"

# Each: rule id -> SELECT producing the columns sweep_rule expects. :now and thresholds are bound.
SWEEP_SQL: dict[str, str] = {
    "not_picked_up": f"""
        SELECT 'manifest:' || m.id AS subject_key, m.id AS manifest_id, NULL::uuid AS licence_id,
               jsonb_build_object('number', m.number, 'submitted_at', m.submitted_at, 'threshold_days', :days,
                                  'waited_days', floor(extract(epoch FROM (:now - m.submitted_at)) / 86400)::int)
                   AS evidence,
               md5(m.id::text || '|' || m.submitted_at::text) AS signature, {_PARTIES}
        FROM manifest m
        WHERE m.status = 'submitted' AND m.submitted_at < :now - make_interval(days => :days)
          -- a pickup planned further ahead counts from the planned day, not from submission
          AND (m.planned_pickup_date::timestamp AT TIME ZONE {clock.SQL_ZONE}) < :now - make_interval(days => :days)""",
    "in_transit_too_long": f"""
        SELECT 'manifest:' || m.id, m.id, NULL::uuid,
               jsonb_build_object('number', m.number, 'status', m.status, 'since', t.since,
                                  'vehicle_plate', m.vehicle_plate, 'threshold_hours', :hours,
                                  'hours_in_transit', floor(extract(epoch FROM (:now - t.since)) / 3600)::int,
                                  'last_position', CASE WHEN lp.lon IS NULL THEN NULL ELSE jsonb_build_object(
                                      'type', 'Point', 'coordinates', jsonb_build_array(lp.lon, lp.lat)) END,
                                  'last_position_at', lp.recorded_at),
               md5(m.id::text || '|' || m.status || '|' || t.since::text), {_PARTIES}
        FROM manifest m
        -- a return trip (status returning) is a transport leg too; its start is its last event
        CROSS JOIN LATERAL (SELECT CASE WHEN m.status = 'in_transit' THEN m.picked_up_at ELSE m.updated_at END AS since) t
        LEFT JOIN LATERAL (SELECT p.recorded_at, p.lon, p.lat FROM track_point p WHERE p.manifest_id = m.id AND p.in_window
                           ORDER BY p.recorded_at DESC LIMIT 1) lp ON true
        WHERE m.status IN ('in_transit', 'returning') AND t.since < :now - make_interval(hours => :hours)""",
    "delivered_not_received": f"""
        WITH due AS (
            SELECT d.day, add_working_days(d.day, :working_days) AS deadline
            FROM (SELECT DISTINCT (delivered_at AT TIME ZONE {clock.SQL_ZONE})::date AS day
                  FROM manifest WHERE status = 'delivered') d
        )
        SELECT 'manifest:' || m.id, m.id, NULL::uuid,
               jsonb_build_object('number', m.number, 'delivered_at', m.delivered_at, 'deadline', due.deadline,
                                  'threshold_working_days', :working_days),
               md5(m.id::text || '|' || m.delivered_at::text), {_PARTIES}
        FROM manifest m JOIN due ON due.day = (m.delivered_at AT TIME ZONE {clock.SQL_ZONE})::date
        WHERE m.status = 'delivered' AND (:now AT TIME ZONE {clock.SQL_ZONE})::date > due.deadline""",
    "received_not_disposed": f"""
        SELECT 'manifest:' || m.id, m.id, NULL::uuid,
               jsonb_build_object('number', m.number, 'received_at', m.received_at, 'threshold_days', :days,
                                  'accepted_kg', m.accepted_kg),
               md5(m.id::text || '|' || m.received_at::text), {_PARTIES}
        FROM manifest m
        WHERE m.status = 'received' AND m.received_at < :now - make_interval(days => :days)""",
    "rejected_not_resolved": f"""
        SELECT 'manifest:' || m.id, m.id, NULL::uuid,
               jsonb_build_object('number', m.number, 'decision', m.decision,
                                  'rejected_at', COALESCE(m.rejected_at, m.received_at), 'threshold_days', :days),
               md5(m.id::text || '|' || COALESCE(m.rejected_at, m.received_at)::text), {_PARTIES}
        FROM manifest m
        WHERE (m.status = 'rejected' AND m.rejected_at < :now - make_interval(days => :days))
           OR (m.remainder_open AND m.status IN ('received', 'completed')
               AND m.received_at < :now - make_interval(days => :days))""",
    "track_silent": TRACK_SILENT_SQL,
    "weight_mismatch": WEIGHT_MISMATCH_SQL,
    "unmatched_ticket": UNMATCHED_TICKET_SQL,
    **MASS_BALANCE_SQL,
    **MONEY_SQL,
}


@dataclass
class SweepReport:
    ran: bool
    started_at: datetime
    seconds: float = 0.0
    rules: dict[str, dict[str, int]] = field(default_factory=dict)


async def run_sweep(session: AsyncSession, now: datetime | None = None) -> SweepReport:
    """Run every enabled time-based rule in the caller's transaction (one lock for all)."""
    now = now or clock.now()
    report = SweepReport(ran=False, started_at=now)
    got = (await session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK_KEY})).scalar()
    if not got:
        log.info("another sweep is running; skipped")
        return report
    report.ran = True
    t0 = time.perf_counter()
    settings = await effective_settings(session)
    for rule_id, sql in SWEEP_SQL.items():
        s = settings[rule_id]
        if not s.enabled:
            continue
        found, opened, resolved = await sweep_rule(
            session, rule_id=rule_id, severity=s.severity, rank=s.rank, found_sql=sql, params=dict(s.thresholds), now=now
        )
        report.rules[rule_id] = {"found": found, "opened": opened, "auto_resolved": resolved}
    report.seconds = time.perf_counter() - t0
    return report
