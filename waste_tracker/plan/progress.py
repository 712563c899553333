"""The year's shipments against the plan, per waste code: the plan page's bar, and the numbers
the ``plan_quantity_exceeded`` rule judges (warning from 80 %, alert past 100 %)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.models import ManagementPlan

WARN_PERCENT = Decimal(80)

# What a site shipped in a year, per code: picked-up weight where known, else the declared one.
SHIPPED_SQL = f"""
    SELECT l.waste_code, sum(CASE WHEN m.picked_up_kg IS NOT NULL AND m.declared_kg > 0
                                  THEN l.declared_kg * m.picked_up_kg / m.declared_kg ELSE l.declared_kg END) AS kg
    FROM manifest m JOIN manifest_line l ON l.manifest_id = m.id
    WHERE m.generator_site_id = :site AND m.kind = :kind AND m.purpose = 'transfer'
      AND m.status NOT IN ('draft', 'deleted', 'cancelled')
      AND extract(year FROM (m.submitted_at AT TIME ZONE {clock.SQL_ZONE})) = :year
    GROUP BY l.waste_code"""


async def progress(session: AsyncSession, p: ManagementPlan) -> list[dict[str, Any]]:
    body = p.accepted_body or p.body
    shipped = {
        r[0]: Decimal(r[1])
        for r in (await session.execute(text(SHIPPED_SQL), {"site": p.site_id, "kind": p.kind, "year": p.year})).all()
    }
    out = []
    for w in body.get("wastes") or []:
        planned_kg = Decimal(str(w["expected_t"])) * 1000
        kg = shipped.pop(w["waste_code"], Decimal(0))
        pct = kg * 100 / planned_kg if planned_kg > 0 else None
        state = "over" if pct is not None and pct > 100 else "warning" if pct is not None and pct >= WARN_PERCENT else "ok"
        out.append(
            {
                "waste_code": w["waste_code"],
                "planned_t": f"{planned_kg / 1000:.3f}",
                "shipped_t": f"{kg / 1000:.3f}",
                "percent": f"{pct:.1f}" if pct is not None else None,
                "state": state,
            }
        )
    for code, kg in sorted(shipped.items()):  # shipped without being planned at all
        out.append(
            {"waste_code": code, "planned_t": None, "shipped_t": f"{kg / 1000:.3f}", "percent": None, "state": "unplanned"}
        )
    return out
