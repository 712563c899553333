"""Writing alerts: one ``INSERT ... ON CONFLICT (rule_id, subject_key)`` per finding, never
check-then-insert, with the history row written by the same statement. (The ``prev`` CTE reads
the statement's snapshot, i.e. the row as it was before the upsert: it must not lock, or it would
skip the row the upsert has just modified.)

On recurrence (the "recur" rows of ``alerts/workflow.py``): an auto-resolved alert reopens; a
dismissed or resolved one reopens only if its signature (the stable facts of the finding) changed —
the same finding recurring unchanged stays dismissed; an open or acknowledged one just gets the new
evidence.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.alerts.workflow import AUTO_RESOLVE, OPEN, RECUR, sql_in

ALERT_COLUMNS = (
    "rule_id, subject_key, manifest_id, licence_id, severity, severity_rank, status, evidence, signature, "
    "generator_county, receiver_county, generator_org_id, receiver_org_id, carrier_org_id, "
    "occurrences, first_seen_at, last_seen_at, updated_at, event_counties"
)

# When a finding recurs (alerts/workflow.py: the "recur" rows).
_REOPEN = (
    "("
    + " OR ".join(
        f"(alert.status IN {sql_in(m.applies)}" + (" AND alert.signature <> EXCLUDED.signature)" if m.changed_only else ")")
        for m in RECUR
    )
    + ")"
)
_REOPENED = RECUR[0].to  # every recurrence reopens

ON_CONFLICT = f"""
ON CONFLICT (rule_id, subject_key) DO UPDATE SET
    evidence = EXCLUDED.evidence,
    last_seen_at = EXCLUDED.last_seen_at,
    updated_at = EXCLUDED.updated_at,
    occurrences = alert.occurrences + 1,
    severity = EXCLUDED.severity,
    severity_rank = EXCLUDED.severity_rank,
    status = CASE WHEN {_REOPEN} THEN '{_REOPENED}' ELSE alert.status END,
    closed_at = CASE WHEN {_REOPEN} THEN NULL ELSE alert.closed_at END,
    signature = EXCLUDED.signature,
    manifest_id = COALESCE(EXCLUDED.manifest_id, alert.manifest_id),
    generator_county = EXCLUDED.generator_county,
    receiver_county = EXCLUDED.receiver_county,
    generator_org_id = EXCLUDED.generator_org_id,
    receiver_org_id = EXCLUDED.receiver_org_id,
    carrier_org_id = EXCLUDED.carrier_org_id,
    -- every county an event of this alert happened in stays (a later scan elsewhere adds its own)
    event_counties = ARRAY(SELECT DISTINCT c FROM unnest(alert.event_counties || EXCLUDED.event_counties) c ORDER BY c)
RETURNING id, status
"""


def signature_of(facts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


async def raise_alert(
    session: AsyncSession,
    *,
    rule_id: str,
    subject_key: str,
    severity: str,
    rank: int,
    evidence: dict[str, Any],
    signature: dict[str, Any],
    now: datetime,
    manifest: Any = None,
    licence_id: uuid.UUID | None = None,
    generator_county: int | None = None,
    receiver_county: int | None = None,
    generator_org_id: uuid.UUID | None = None,
    receiver_org_id: uuid.UUID | None = None,
    carrier_org_id: uuid.UUID | None = None,
    event_county: int | None = None,
) -> int:
    """Open or update the alert for (rule, subject). Returns the alert id. ``event_county``: the
    county where the event that raised it happened (added to the alert's ``event_counties``)."""
    if manifest is not None:
        generator_county = generator_county or manifest.generator_county
        receiver_county = receiver_county or manifest.receiver_county
        generator_org_id = generator_org_id or manifest.generator_org_id
        receiver_org_id = receiver_org_id or manifest.receiver_org_id
        carrier_org_id = carrier_org_id or manifest.carrier_org_id
    row = (
        await session.execute(
            text(f"""
        WITH prev AS (
            SELECT id, status FROM alert WHERE rule_id = :rule AND subject_key = :subject
        ), up AS (
            INSERT INTO alert ({ALERT_COLUMNS})
            VALUES (:rule, :subject, :manifest_id, :licence_id, :severity, :rank, '{OPEN}', CAST(:evidence AS jsonb),
                    :signature, :gc, :rc, :go, :ro, :co, 1, :now, :now, :now, CAST(:ec AS integer[]))
            {ON_CONFLICT}
        ), hist AS (
            INSERT INTO alert_history (alert_id, at, action, old_status, new_status, details)
            SELECT up.id, :now, CASE WHEN prev.id IS NULL THEN 'opened' ELSE '{RECUR[0].past}' END, prev.status, up.status,
                   CAST(:evidence AS jsonb)
            FROM up LEFT JOIN prev ON prev.id = up.id
            WHERE prev.id IS NULL OR prev.status IS DISTINCT FROM up.status
        )
        SELECT id FROM up
    """),
            {
                "rule": rule_id,
                "subject": subject_key,
                "manifest_id": manifest.id if manifest is not None else None,
                "licence_id": licence_id,
                "severity": severity,
                "rank": rank,
                "evidence": json.dumps(evidence, ensure_ascii=False, default=str),
                "signature": signature_of(signature),
                "gc": generator_county,
                "rc": receiver_county,
                "go": generator_org_id,
                "ro": receiver_org_id,
                "co": carrier_org_id,
                "ec": [event_county] if event_county is not None else [],
                "now": now,
            },
        )
    ).scalar_one()
    return int(row)


async def sweep_rule(
    session: AsyncSession, *, rule_id: str, severity: str, rank: int, found_sql: str, params: dict[str, Any], now: datetime
) -> tuple[int, int, int]:
    """Set-based: upsert every row of ``found_sql`` as an alert of ``rule_id`` and auto-resolve the
    rule's open alerts whose subject is no longer found. Returns (found, opened or reopened,
    auto-resolved).

    ``found_sql`` selects: subject_key, manifest_id, licence_id, evidence (jsonb), signature (text),
    generator_county, receiver_county, generator_org_id, receiver_org_id, carrier_org_id."""
    row = (
        await session.execute(
            text(f"""
        WITH found (subject_key, manifest_id, licence_id, evidence, signature, generator_county, receiver_county,
                    generator_org_id, receiver_org_id, carrier_org_id) AS ({found_sql}),
        prev AS (
            SELECT a.id, a.status FROM alert a JOIN found f ON f.subject_key = a.subject_key
            WHERE a.rule_id = :rule
        ), up AS (
            INSERT INTO alert ({ALERT_COLUMNS})
            SELECT :rule, f.subject_key, f.manifest_id, f.licence_id, :severity, :rank, '{OPEN}', f.evidence,
                   f.signature, f.generator_county, f.receiver_county, f.generator_org_id, f.receiver_org_id,
                   f.carrier_org_id, 1, :now, :now, :now, CAST(ARRAY[] AS integer[])
            FROM found f
            {ON_CONFLICT}
        ), hist AS (
            INSERT INTO alert_history (alert_id, at, action, old_status, new_status)
            SELECT up.id, :now, CASE WHEN prev.id IS NULL THEN 'opened' ELSE '{RECUR[0].past}' END, prev.status, up.status
            FROM up LEFT JOIN prev ON prev.id = up.id
            WHERE prev.id IS NULL OR prev.status IS DISTINCT FROM up.status
            RETURNING 1
        ), gone AS (
            UPDATE alert a SET status = '{AUTO_RESOLVE.to}', closed_at = :now, updated_at = :now
            FROM (SELECT o.id, o.status FROM alert o
                  WHERE o.rule_id = :rule AND o.status IN {sql_in(AUTO_RESOLVE.applies)}
                    AND NOT EXISTS (SELECT 1 FROM found f WHERE f.subject_key = o.subject_key)) old
            WHERE a.id = old.id
            RETURNING a.id, old.status AS old_status
        ), gone_hist AS (
            INSERT INTO alert_history (alert_id, at, action, old_status, new_status, note)
            SELECT id, :now, '{AUTO_RESOLVE.past}', old_status, '{AUTO_RESOLVE.to}', 'condition no longer holds' FROM gone
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM hist), (SELECT count(*) FROM gone_hist)
    """),
            {**params, "rule": rule_id, "severity": severity, "rank": rank, "now": now},
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])
