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
