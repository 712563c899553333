"""Flows between counties and per-county KPIs, scoped to the regulator's jurisdiction.

Flows count tonnage by (generator county, receiver county) over manifests picked up in a period;
the tonnage is the best measure known: received, else picked-up, else declared.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid

TONNAGE = "COALESCE(m.received_kg, m.picked_up_kg, m.declared_kg) / 1000.0"


def _window(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    if date_to < date_from or (date_to - date_from).days > 3660:
        raise Invalid("validation_error", {"field": "date_to", "reason": "a period of at most ten years"})
    return (clock.start_of(date_from), clock.end_of(date_to))


def _scope(actor: Principal) -> list[int] | None:
    if actor.is_admin:
        return None
    if not actor.is_regulator:
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"]})
    return sorted(actor.county_scope or [])


async def flows(
    session: AsyncSession, actor: Principal, date_from: date, date_to: date, kind: str | None = None
) -> list[dict[str, Any]]:
    _window(date_from, date_to)  # validates the period
    scope = _scope(actor)
    # From the maintained roll-up (waste_tracker/stats/rollup.py): one row per day and county pair,
    # exact in every committed state, instead of every manifest picked up in the period. A day is
    # the Asia/Shanghai date of the pickup, so [date_from, date_to] is the same window as before.
    rows = (
        (
            await session.execute(
                text("""
        SELECT f.generator_county, f.receiver_county, f.generator_city, f.receiver_city,
               sum(f.manifests)::bigint AS manifests, round(sum(f.tonnage_kg) / 1000.0, 3) AS tonnes
        FROM flow_daily f
        WHERE f.day >= :date_from AND f.day <= :date_to
          AND (CAST(:kind AS text) IS NULL OR f.kind = :kind)
          AND (CAST(:scope AS int[]) IS NULL OR f.generator_county = ANY(:scope) OR f.receiver_county = ANY(:scope))
        GROUP BY 1, 2, 3, 4 HAVING sum(f.manifests) > 0 ORDER BY tonnes DESC"""),
                {"date_from": date_from, "date_to": date_to, "kind": kind, "scope": scope},
            )
        )
        .mappings()
        .all()
    )
    return [
        {
            **dict(r),
            "tonnes": float(r["tonnes"] or 0),
            "out_of_city": r["generator_city"] != r["receiver_city"],
            "out_of_county": r["generator_county"] != r["receiver_county"],
        }
        for r in rows
    ]


async def kpis(
    session: AsyncSession, actor: Principal, date_from: date, date_to: date, county: int | None = None
) -> list[dict[str, Any]]:
    """Per generator county: manifests, tonnage, open alerts by rule, and two shares:

    - on time: of the loads dropped off, those whose receipt was decided (accepted, partly
      accepted or rejected) within the ``delivered_not_received`` rule's working days;
    - disposal (无害化): disposed tonnage / **accepted** tonnage (what was rejected is not the
      receiver's to dispose of)."""
    from waste_tracker.rules.settings import effective_settings

    start, end = _window(date_from, date_to)
    scope = _scope(actor)
    wd = int((await effective_settings(session))["delivered_not_received"].thresholds["working_days"])
    if county is not None and scope is not None and county not in scope:
        raise Forbidden("outside_jurisdiction", {"county": county})
    rows = (
        (
            await session.execute(
                text(f"""
        WITH base AS (
            SELECT m.generator_county, m.status, m.received_kg, m.picked_up_kg, m.declared_kg, m.disposed_kg,
                   m.accepted_kg, m.delivered_at, COALESCE(m.received_at, m.rejected_at) AS decided_at,
                   (m.delivered_at AT TIME ZONE {clock.SQL_ZONE})::date AS delivered_on
            FROM manifest m
            WHERE m.submitted_at >= :start AND m.submitted_at < :end
              AND (CAST(:scope AS int[]) IS NULL OR m.generator_county = ANY(:scope))
              AND (CAST(:county AS int) IS NULL OR m.generator_county = :county)
        ), due AS (
            -- the receipt deadline once per drop-off day, not once per manifest
            SELECT d.delivered_on, add_working_days(d.delivered_on, :wd) AS deadline
            FROM (SELECT DISTINCT delivered_on FROM base WHERE delivered_on IS NOT NULL) d
        )
        SELECT m.generator_county AS county, j.name, j.name_en,
               count(*) AS manifests,
               round(sum({TONNAGE})::numeric, 3) AS tonnes,
               count(*) FILTER (WHERE m.delivered_at IS NOT NULL) AS delivered,
               count(*) FILTER (WHERE m.decided_at IS NOT NULL AND m.delivered_at IS NOT NULL
                   AND (m.decided_at AT TIME ZONE {clock.SQL_ZONE})::date <= due.deadline) AS on_time,
               count(*) FILTER (WHERE m.status = 'completed') AS completed,
               COALESCE(sum(m.accepted_kg), 0) / 1000.0 AS accepted_t,
               COALESCE(sum(m.disposed_kg), 0) / 1000.0 AS disposed_t
        FROM base m JOIN jurisdiction j ON j.adcode = m.generator_county
        LEFT JOIN due ON due.delivered_on = m.delivered_on
        GROUP BY 1, 2, 3 ORDER BY 1"""),
                {"start": start, "end": end, "scope": scope, "county": county, "wd": wd},
            )
        )
        .mappings()
        .all()
    )
    # Open alerts under the county the waste came from and under every county where one of their
    # events happened (a load dumped in a third county counts there too).
    alerts = (
        await session.execute(
            text("""
        SELECT c.county, a.rule_id, count(DISTINCT a.id) FROM alert a
        CROSS JOIN LATERAL unnest(array_append(a.event_counties, a.generator_county)) AS c(county)
        WHERE a.status IN ('open', 'acknowledged') AND c.county IS NOT NULL
          AND (CAST(:scope AS int[]) IS NULL OR c.county = ANY(:scope))
          AND (CAST(:county AS int) IS NULL OR c.county = :county)
        GROUP BY 1, 2"""),
            {"scope": scope, "county": county},
        )
    ).all()
    by_county: dict[int, dict[str, int]] = {}
    for c, rule, n in alerts:
        by_county.setdefault(c, {})[rule] = int(n)
    out = []
    for r in rows:
        delivered = int(r["delivered"])
        accepted_t = float(r["accepted_t"])
        out.append(
            {
                "county": r["county"],
                "name": r["name"],
                "name_en": r["name_en"],
                "manifests": int(r["manifests"]),
                "tonnes": float(r["tonnes"] or 0),
                "completed": int(r["completed"]),
                "on_time_share": round(int(r["on_time"]) / delivered, 4) if delivered else None,
                "disposal_share": round(float(r["disposed_t"]) / accepted_t, 4) if accepted_t else None,
                "open_alerts_by_rule": by_county.get(r["county"], {}),
            }
        )
    # Counties with open alerts but no manifests generated in the period still get their row.
    missing = sorted(set(by_county) - {r["county"] for r in out})
    if missing:
        names = (
            await session.execute(text("SELECT adcode, name, name_en FROM jurisdiction WHERE adcode = ANY(:c)"), {"c": missing})
        ).all()
        for adcode, name, name_en in names:
            out.append(
                {
                    "county": adcode,
                    "name": name,
                    "name_en": name_en,
                    "manifests": 0,
                    "tonnes": 0.0,
                    "completed": 0,
                    "on_time_share": None,
                    "disposal_share": None,
                    "open_alerts_by_rule": by_county[adcode],
                }
            )
        out.sort(key=lambda r: r["county"])
    return out
