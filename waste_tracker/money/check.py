"""At submission, a manifest rests on a written contract (固废法 Art. 37; 危险废物转移管理办法
Art. 10): a disposal contract between the generator and the receiver, in force on the planned
pickup day, covering every line's code (by code or by category).

The city chooses (rule ``no_contract``, threshold ``block``), as for plans: 1 refuses the
submission with ``no_active_contract`` (422); 0 lets it through and the rule raises an alert. As
with plans, a generator that has registered no contract at all is refused when blocking and, when
warning, not alerted here (the register is not in use by it yet; docs/money.md). The
contracts used are written on the submitted event (``payload.contract``), so the manifest shows
which contract it was filed under even after the contract is corrected or terminated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker.errors import Invalid
from waste_tracker.models import Contract, Manifest, ManifestLine
from waste_tracker.money.contracts import covers, in_force_between
from waste_tracker.rules.settings import effective_settings


async def at_submission(session: AsyncSession, m: Manifest, lines: Sequence[ManifestLine]) -> dict[str, Any] | None:
    """The contract record for the submitted event, or None when the rule is off; raises when the
    city blocks and a line has no contract."""
    s = (await effective_settings(session))["no_contract"]
    if not s.enabled:
        return None
    block = bool(int(s.thresholds.get("block", 0)))
    on = m.planned_pickup_date
    found = await in_force_between(session, m.generator_org_id, m.receiver_org_id, on)
    if not found and not block:
        any_row = select(Contract.id).where(col(Contract.generator_org_id) == m.generator_org_id).limit(1)
        if (await session.execute(any_row)).scalar() is None:
            return {"contracts": [], "uncovered": [], "date": str(on), "none_registered": True}
    used: dict[str, Any] = {}
    uncovered: list[dict[str, Any]] = []
    for ln in lines:
        c = next((c for c in found if covers(c, ln.waste_code, ln.category_code)), None)
        if c is None:
            uncovered.append({"line_no": ln.line_no, "waste_code": ln.waste_code})
        else:
            used[str(c.id)] = {"id": str(c.id), "number": c.number, "signed_on": str(c.signed_on)}
    if uncovered and block:
        raise Invalid(
            "no_active_contract",
            {"date": str(on), "uncovered_codes": ", ".join(u["waste_code"] for u in uncovered), "lines": uncovered},
        )
    return {"contracts": list(used.values()), "uncovered": uncovered, "date": str(on)}
