"""A declaration drafted from the records: per waste code, in tonnes, what was in storage at the
start, generated, shipped (per receiver and method), handled on site, and in storage at the end —
and the gap when those do not add up (start + generated − shipped − handled − end)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.declaration.periods import Period
from waste_tracker.models import Site

_OUT_DAY = f"(c.out_at AT TIME ZONE {clock.SQL_ZONE})::date"
LEDGER_SQL = text(f"""
    SELECT c.waste_code, c.kind, min(c.waste_name) AS waste_name,
           COALESCE(sum(c.net_kg) FILTER (WHERE c.generated_on BETWEEN :start AND :end), 0) AS generated,
           COALESCE(sum(c.net_kg) FILTER (WHERE c.generated_on < :start AND (c.out_at IS NULL OR {_OUT_DAY} >= :start)), 0)
               AS stored_start,
           COALESCE(sum(c.net_kg) FILTER (WHERE c.generated_on <= :end AND (c.out_at IS NULL OR {_OUT_DAY} > :end)), 0)
               AS stored_end,
           COALESCE(sum(c.net_kg) FILTER (WHERE c.status = 'shipped' AND {_OUT_DAY} BETWEEN :start AND :end), 0)
               AS shipped_from_store,
           COALESCE(sum(c.net_kg) FILTER (WHERE c.status = 'handled_on_site' AND {_OUT_DAY} BETWEEN :start AND :end), 0)
               AS handled
    FROM waste_container c
    WHERE c.site_id = :site AND c.generated_on <= :end
    GROUP BY c.waste_code, c.kind ORDER BY c.waste_code""")
SHIPMENTS_SQL = text(f"""
    SELECT l.waste_code, m.receiver_org_id, o.name AS receiver_name, m.planned_method_code AS method_code,
           sum(CASE WHEN m.picked_up_kg IS NOT NULL AND m.declared_kg > 0
                    THEN l.declared_kg * m.picked_up_kg / m.declared_kg ELSE l.declared_kg END) AS kg,
           count(DISTINCT m.id) AS manifests
    FROM manifest m JOIN manifest_line l ON l.manifest_id = m.id JOIN organisation o ON o.id = m.receiver_org_id
    WHERE m.generator_site_id = :site AND m.purpose = 'transfer' AND m.picked_up_at IS NOT NULL
      AND (m.picked_up_at AT TIME ZONE {clock.SQL_ZONE})::date BETWEEN :start AND :end
    GROUP BY l.waste_code, m.receiver_org_id, o.name, m.planned_method_code ORDER BY l.waste_code, o.name""")
OWN_SQL = text(f"""
    SELECT c.waste_code, c.handled_method_code AS method_code, sum(c.net_kg) AS kg
    FROM waste_container c
    WHERE c.site_id = :site AND c.status = 'handled_on_site' AND {_OUT_DAY} BETWEEN :start AND :end
    GROUP BY c.waste_code, c.handled_method_code ORDER BY 1, 2""")


def t(kg: Decimal | int) -> str:
    return f"{Decimal(kg) / 1000:.3f}"


async def draft(session: AsyncSession, site: Site, p: Period) -> dict[str, Any]:
    params = {"site": site.id, "start": p.start, "end": p.end}
    ledger = (await session.execute(LEDGER_SQL, params)).mappings().all()
    shipments = (await session.execute(SHIPMENTS_SQL, params)).mappings().all()
    own = (await session.execute(OWN_SQL, params)).mappings().all()
    shipped_by_code: dict[str, Decimal] = {}
    for s in shipments:
        shipped_by_code[s["waste_code"]] = shipped_by_code.get(s["waste_code"], Decimal(0)) + Decimal(s["kg"])
    wastes = []
    seen = set()
    for r in ledger:
        seen.add(r["waste_code"])
        shipped = shipped_by_code.get(r["waste_code"], Decimal(0))
        gap = Decimal(r["stored_start"]) + Decimal(r["generated"]) - shipped - Decimal(r["handled"]) - Decimal(r["stored_end"])
        wastes.append(
            {
                "waste_code": r["waste_code"],
                "kind": r["kind"],
                "waste_name": r["waste_name"],
                "stored_start_t": t(r["stored_start"]),
                "generated_t": t(r["generated"]),
                "shipped_t": t(shipped),
                "handled_on_site_t": t(r["handled"]),
                "stored_end_t": t(r["stored_end"]),
                "gap_t": t(gap),
            }
        )
    for code, kg in sorted(shipped_by_code.items()):  # shipped with no ledger at all: the whole amount is a gap
        if code not in seen:
            wastes.append(
                {
                    "waste_code": code,
                    "kind": None,
                    "waste_name": None,
                    "stored_start_t": t(0),
                    "generated_t": t(0),
                    "shipped_t": t(kg),
                    "handled_on_site_t": t(0),
                    "stored_end_t": t(0),
                    "gap_t": t(-kg),
                }
            )
    return {
        "period": {"kind": p.kind, "start": str(p.start), "end": str(p.end), "label": p.label, "due_on": str(p.due_on)},
        "site": {"id": str(site.id), "name": site.name, "county": site.county_adcode},
        "unit": "t",
        "wastes": wastes,
        "shipments": [
            {
                "waste_code": s["waste_code"],
                "receiver_org_id": str(s["receiver_org_id"]),
                "receiver_name": s["receiver_name"],
                "method_code": s["method_code"],
                "t": t(s["kg"]),
                "manifests": int(s["manifests"]),
            }
            for s in shipments
        ],
        "own_handling": [{"waste_code": o["waste_code"], "method_code": o["method_code"], "t": t(o["kg"])} for o in own],
    }
