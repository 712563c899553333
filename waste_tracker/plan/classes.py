"""The management class of a unit (HJ 1259-2022 §4.2.3), from the previous year's tonnage and
its facilities:

- key (重点管理): 100 t/a or more at the site, or an own utilisation/disposal facility, or a
  hazardous-waste operating licence;
- simplified (简化管理): 10 t/a or more, not key;
- registered (登记管理): under 10 t/a.

The tonnage is the previous year's generation as the ledger records it; a site without ledger
history is judged by what it shipped on manifests, and a new site by the plan's own expectation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.models import Site

KEY_T = Decimal(100)
SIMPLIFIED_T = Decimal(10)


@dataclass(frozen=True)
class ClassBasis:
    previous_year_t: Decimal
    source: str  # ledger | manifests | plan_expected
    own_facility: bool
    licence_holder: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "previous_year_t": f"{self.previous_year_t:.3f}",
            "source": self.source,
            "own_facility": self.own_facility,
            "licence_holder": self.licence_holder,
        }


def classify(b: ClassBasis) -> str:
    if b.previous_year_t >= KEY_T or b.own_facility or b.licence_holder:
        return "key"
    if b.previous_year_t >= SIMPLIFIED_T:
        return "simplified"
    return "registered"


async def basis_for(session: AsyncSession, site: Site, year: int, kind: str, body: dict[str, Any]) -> ClassBasis:
    lo, hi = clock.year_window(year - 1)
    row = (
        await session.execute(
            text("""SELECT
                (SELECT COALESCE(sum(net_kg), 0) FROM waste_container
                  WHERE site_id = :s AND kind = :k AND generated_on >= :d0 AND generated_on < :d1) AS ledger_kg,
                (SELECT count(*) FROM waste_container WHERE site_id = :s AND kind = :k AND generated_on < :d1) AS ledger_n,
                (SELECT COALESCE(sum(COALESCE(picked_up_kg, declared_kg)), 0) FROM manifest
                  WHERE generator_site_id = :s AND kind = :k AND submitted_at >= :lo AND submitted_at < :hi
                    AND status NOT IN ('draft', 'deleted', 'cancelled')) AS shipped_kg,
                EXISTS (SELECT 1 FROM licence WHERE site_id = :s AND kind = 'hazardous'
                         AND valid_from <= make_date(:y, 12, 31) AND valid_to >= make_date(:y, 1, 1)) AS licensed"""),
            {"s": site.id, "k": kind, "d0": clock.local_date(lo), "d1": clock.local_date(hi), "lo": lo, "hi": hi, "y": year},
        )
    ).one()
    expected = sum((Decimal(str(w.get("expected_t", 0))) for w in body.get("wastes", [])), Decimal(0))
    if row.ledger_n:
        tonnes, source = Decimal(row.ledger_kg) / 1000, "ledger"
    elif row.shipped_kg:
        tonnes, source = Decimal(row.shipped_kg) / 1000, "manifests"
    else:
        tonnes, source = expected, "plan_expected"
    own = bool(body.get("own_handling"))
    return ClassBasis(tonnes, source, own, bool(row.licensed) and kind == "hazardous")
