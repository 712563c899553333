"""The mass balance of a site, month by month, in kilograms: generated, shipped (out of storage
onto manifests), handled on site and in storage at each month's end, from the ledger; and what
the manifests say was shipped, so that paper without waste, or waste without paper, shows as a gap.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock

Z = clock.SQL_ZONE
_SQL = text(f"""
    WITH months AS (
        SELECT gs::date AS m0, (gs + interval '1 month')::date AS m1
        FROM generate_series(make_date(:year, 1, 1), make_date(:year, 12, 1), interval '1 month') gs),
    c AS (SELECT net_kg, generated_on, status, (out_at AT TIME ZONE {Z})::date AS out_day, waste_code
          FROM waste_container WHERE site_id = :site AND (CAST(:code AS text) IS NULL OR waste_code = :code)),
    paper AS (
        SELECT (m.picked_up_at AT TIME ZONE {Z})::date AS day, l.declared_kg AS kg
        FROM manifest m JOIN manifest_line l ON l.manifest_id = m.id
        WHERE m.generator_site_id = :site AND m.purpose = 'transfer' AND m.picked_up_at IS NOT NULL
          AND (CAST(:code AS text) IS NULL OR l.waste_code = :code))
    SELECT to_char(mo.m0, 'YYYY-MM') AS month,
           COALESCE((SELECT sum(net_kg) FROM c WHERE generated_on >= mo.m0 AND generated_on < mo.m1), 0) AS generated_kg,
           COALESCE((SELECT sum(net_kg) FROM c WHERE status = 'shipped' AND out_day >= mo.m0 AND out_day < mo.m1), 0)
               AS shipped_kg,
           COALESCE((SELECT sum(net_kg) FROM c WHERE status = 'handled_on_site' AND out_day >= mo.m0 AND out_day < mo.m1), 0)
               AS handled_kg,
           COALESCE((SELECT sum(net_kg) FROM c WHERE generated_on < mo.m1 AND (out_day IS NULL OR out_day >= mo.m1)), 0)
               AS stored_end_kg,
           COALESCE((SELECT sum(kg) FROM paper WHERE day >= mo.m0 AND day < mo.m1), 0) AS manifested_kg
    FROM months mo ORDER BY mo.m0""")


async def monthly(session: AsyncSession, site_id: uuid.UUID, year: int, waste_code: str | None = None) -> list[dict[str, Any]]:
    today = clock.today()
    rows = (await session.execute(_SQL, {"site": site_id, "year": year, "code": waste_code})).mappings().all()
    out = []
    for r in rows:
        first = date(int(r["month"][:4]), int(r["month"][5:]), 1)
        if first > today:
            break
        out.append(
            {
                "month": r["month"],
                **{
                    k: f"{Decimal(r[k]):.3f}"
                    for k in ("generated_kg", "shipped_kg", "handled_kg", "stored_end_kg", "manifested_kg")
                },
                "paper_gap_kg": f"{Decimal(r['manifested_kg']) - Decimal(r['shipped_kg']):.3f}",
            }
        )
    return out


_OVERVIEW_SQL = f"""
    WITH y AS (SELECT make_date(:year, 1, 1) AS d0, make_date(:year + 1, 1, 1) AS d1),
    c AS (
        SELECT w.site_id, w.net_kg, w.generated_on, w.status, (w.out_at AT TIME ZONE {Z})::date AS out_day
        FROM waste_container w WHERE {{scope}}),
    per AS (
        SELECT c.site_id,
               COALESCE(sum(c.net_kg) FILTER (WHERE c.generated_on >= y.d0 AND c.generated_on < y.d1), 0) AS generated_kg,
               COALESCE(sum(c.net_kg) FILTER (WHERE c.status = 'shipped' AND c.out_day >= y.d0 AND c.out_day < y.d1), 0)
                   AS shipped_kg,
               COALESCE(sum(c.net_kg) FILTER (WHERE c.status = 'handled_on_site' AND c.out_day >= y.d0 AND c.out_day < y.d1), 0)
                   AS handled_kg,
               COALESCE(sum(c.net_kg) FILTER (WHERE c.status IN ('in_storage', 'on_manifest')), 0) AS stored_kg,
               min(c.generated_on) FILTER (WHERE c.status IN ('in_storage', 'on_manifest')) AS oldest_stored
        FROM c CROSS JOIN y GROUP BY c.site_id)
    SELECT s.id AS site_id, s.name AS site_name, o.id AS organisation_id, o.name AS organisation_name, s.county_adcode,
           per.generated_kg, per.shipped_kg, per.handled_kg, per.stored_kg, per.oldest_stored,
           (SELECT COALESCE(sum(l.declared_kg), 0) FROM manifest m JOIN manifest_line l ON l.manifest_id = m.id, y
             WHERE m.generator_site_id = s.id AND m.purpose = 'transfer' AND m.picked_up_at IS NOT NULL
               AND (m.picked_up_at AT TIME ZONE {Z})::date >= y.d0 AND (m.picked_up_at AT TIME ZONE {Z})::date < y.d1)
               AS manifested_kg,
           (SELECT p.management_class FROM management_plan p WHERE p.site_id = s.id AND p.year = :year
              AND p.kind = 'hazardous') AS management_class,
           (SELECT count(*) FROM alert a WHERE a.status IN ('open', 'acknowledged') AND a.subject_key LIKE 'site:' || s.id || '%')
               AS open_alerts
    FROM per JOIN site s ON s.id = per.site_id JOIN organisation o ON o.id = s.organisation_id
    ORDER BY open_alerts DESC, o.name, s.name"""


async def overview(session: AsyncSession, counties: list[int] | None, year: int) -> list[dict[str, Any]]:
    """Every site with a ledger in the given counties (None: all): the year's totals and the gap
    between what the manifests say was shipped and what left storage."""
    scope = "TRUE" if counties is None else "w.county_adcode = ANY(:counties)"
    rows = (await session.execute(text(_OVERVIEW_SQL.format(scope=scope)), {"year": year, "counties": counties or []})).mappings()
    out = []
    for r in rows:
        d = dict(r)
        d["paper_gap_kg"] = Decimal(d["manifested_kg"]) - Decimal(d["shipped_kg"])
        out.append(d)
    return out
